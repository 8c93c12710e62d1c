import type { SpanDetailsFragment } from "../gql/graphql";
import { formatTime, h } from "../ui/dom";
import { formatCost, formatNanos, formatTokens, isoMicros } from "./format";
import { conversation, type Message, type MessagePart, type SpanEvent } from "./messages";
import { spanStatusBadge, spanTypeBadge } from "./traceList";

type Attributes = Record<string, unknown>;

const valueText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value, null, 2));

/** Attributes as a table of keys and values, sorted by key; JSON values pretty-printed. */
function attributeTable(attributes: Attributes, label: string): HTMLElement {
  const keys = Object.keys(attributes).sort();
  if (!keys.length) return h("p", { className: "muted" }, "None.");
  return h("table", { className: "kv attributes", "aria-label": label }, h("tbody", {}, ...keys.map((key) =>
    h("tr", {}, h("th", { scope: "row" }, key), h("td", {}, h("pre", {}, valueText(attributes[key])))))));
}

/** What the model was asked with: `gen_ai.request.*` but the model, and OpenInference's invocation parameters. */
function modelParameters(attributes: Attributes): Attributes {
  const parameters = Object.fromEntries(Object.entries(attributes)
    .filter(([key]) => key.startsWith("gen_ai.request.") && key !== "gen_ai.request.model")
    .map(([key, value]) => [key.slice("gen_ai.request.".length), value]));
  const invocation = attributes["llm.invocation_parameters"];
  if (typeof invocation === "string") {
    try {
      Object.assign(parameters, JSON.parse(invocation));
    } catch {
      parameters.invocation_parameters = invocation;
    }
  }
  return parameters;
}

function partView(part: MessagePart): HTMLElement {
  switch (part.type) {
    case "text":
      return h("pre", { className: "message-text" }, part.text);
    case "tool_call":
      return h("div", { className: "tool-call" }, h("strong", {}, `→ ${part.name}`), part.id && h("span", { className: "muted" }, ` ${part.id}`),
        part.arguments && h("pre", {}, prettyJson(part.arguments)));
    case "tool_call_response":
      return h("div", { className: "tool-result" }, h("strong", {}, "← result"), part.id && h("span", { className: "muted" }, ` ${part.id}`),
        h("pre", {}, prettyJson(part.response)));
  }
}

/** JSON text indented, other text as it is. */
function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function messageView(message: Message): HTMLElement {
  return h("li", { className: `message role-${message.role.replace(/\W/g, "")}${message.output ? " output" : ""}` },
    h("div", { className: "message-role" }, message.role, message.output ? " · answer" : "", message.finishReason ? ` · ${message.finishReason}` : ""),
    ...message.parts.map(partView));
}

/** A titled part of the panel; the raw ones start closed when the span has a conversation to show first. */
const section = (title: string, open: boolean, ...content: (Node | string)[]) =>
  h("details", { className: "span-section", open }, h("summary", {}, h("h3", {}, title)), ...content);

/**
 * One span: what it is and did (type, status and its message, timing, model, tokens, cost), for an LLM call its
 * conversation and model parameters, then everything as sent: attributes, events, links and the resource.
 * `actions` go below its facts (an LLM call's form that adds it to a dataset).
 */
export function spanPanel(span: SpanDetailsFragment, traceStartMicros: number, actions?: Node): HTMLElement {
  const attributes = span.attributes as Attributes;
  const events = span.events as SpanEvent[];
  const links = span.links as Attributes[];
  const messages = conversation(attributes, events);
  const parameters = modelParameters(attributes);
  const offset = (micros: number) => `+${formatNanos(Math.max(0, micros - traceStartMicros) * 1000)}`;
  const fact = (label: string, value: Node | string | null | undefined) => (value ? [h("dt", {}, label), h("dd", {}, value)] : []);
  const tokens = span.inputTokens != null || span.outputTokens != null
    ? `${formatTokens(span.inputTokens)} in · ${formatTokens(span.outputTokens)} out` : null;
  const cost = span.cost != null ? `${formatCost(span.cost)}${span.costEstimated ? " (estimated)" : ""}` : null;
  return h("section", { className: "span-panel", "aria-label": "Span" },
    h("h2", {}, span.name, " ", spanTypeBadge(span.spanType), " ", spanStatusBadge(span.status)),
    span.statusMessage ? h("p", { className: "status-message", role: "note" }, span.statusMessage) : "",
    h("dl", { className: "facts" },
      ...fact("Span id", span.spanId),
      ...fact("Kind", span.kind),
      ...fact("Start", `${formatTime(span.startTime)} (${offset(isoMicros(span.startTime))})`),
      ...fact("Duration", formatNanos(span.durationNanos)),
      ...fact("Operation", span.operation),
      ...fact("Provider", span.provider),
      ...fact("Model", span.model),
      ...fact("Tokens", tokens),
      ...fact("Cost", cost),
      ...fact("Session", span.sessionId),
      ...fact("Service", span.serviceName),
      ...fact("Scope", span.scopeName && `${span.scopeName}${span.scopeVersion ? ` ${span.scopeVersion}` : ""}`)),
    actions ?? "",
    Object.keys(parameters).length ? section("Model parameters", true, attributeTable(parameters, "Model parameters")) : "",
    messages.length ? section("Conversation", true, h("ol", { className: "conversation" }, ...messages.map(messageView))) : "",
    section("Attributes", !messages.length, attributeTable(attributes, "Attributes")),
    section(`Events (${events.length})`, !messages.length && events.length > 0, events.length
      ? h("ol", { className: "span-events" }, ...events.map((event) => h("li", {},
        h("strong", {}, event.name), " ", h("span", { className: "muted" }, offset(Number(BigInt(event.timeUnixNano) / 1000n))),
        attributeTable(event.attributes ?? {}, `${event.name} attributes`))))
      : h("p", { className: "muted" }, "None.")),
    links.length ? section(`Links (${links.length})`, false, h("pre", {}, valueText(links))) : "",
    section("Resource", false, attributeTable(span.resource as Attributes, "Resource")));
}
