/**
 * The conversation of an LLM call, read from its span's attributes and events in whichever convention the
 * instrumentation followed (the mapping in docs/tracing.md): the current GenAI one (`gen_ai.input.messages`,
 * `gen_ai.output.messages`, `gen_ai.system_instructions`), its older attribute form (`gen_ai.prompt.N.*`,
 * `gen_ai.completion.N.*`), OpenInference's (`llm.input_messages.N.message.*`) and the GenAI span events
 * (`gen_ai.*.message`, `gen_ai.choice`). The first convention that has messages wins: instrumentations that
 * write two forms write the same messages twice.
 */

export type MessagePart =
  | { type: "text"; text: string }
  | { type: "tool_call"; id?: string; name: string; arguments?: string }
  | { type: "tool_call_response"; id?: string; response: string };

export interface Message {
  /** system, user, assistant, tool, or whatever role the span gave. */
  role: string;
  /** Whether the model was given the message or answered it. */
  output: boolean;
  parts: MessagePart[];
  finishReason?: string;
}

/** A span event as the API answers it. */
export interface SpanEvent {
  timeUnixNano: string;
  name: string;
  attributes?: Record<string, unknown>;
}

type Attributes = Record<string, unknown>;

/** JSON sent as a string attribute, or the structured value itself. */
function parsed(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Text as shown: strings as they are, anything else as JSON. */
const text = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

const record = (value: unknown): Attributes => (value && typeof value === "object" && !Array.isArray(value) ? (value as Attributes) : {});

const optional = (value: unknown): string | undefined => (value === undefined || value === null || value === "" ? undefined : text(value));

/** A message part of the current GenAI conventions (`content` for text; `text` accepted too). */
function genAiPart(value: unknown): MessagePart | null {
  const part = record(value);
  switch (part.type) {
    case "text":
    case undefined:
      return part.content === undefined && part.text === undefined ? null : { type: "text", text: text(part.content ?? part.text) };
    case "tool_call":
      return { type: "tool_call", id: optional(part.id), name: text(part.name ?? ""), arguments: optional(part.arguments) };
    case "tool_call_response":
      return { type: "tool_call_response", id: optional(part.id), response: text(part.response ?? part.result ?? "") };
    default:
      return { type: "text", text: text(part.content ?? part) };
  }
}

function genAiMessages(value: unknown, output: boolean): Message[] {
  const list = parsed(value);
  if (!Array.isArray(list)) return [];
  return list.map((item) => {
    const message = record(item);
    const parts = Array.isArray(message.parts) ? message.parts.map(genAiPart).filter((p): p is MessagePart => p !== null) : [];
    return { role: text(message.role ?? (output ? "assistant" : "user")), output, parts, finishReason: optional(message.finish_reason) };
  });
}

function currentGenAi(attributes: Attributes): Message[] {
  const instructions = parsed(attributes["gen_ai.system_instructions"]);
  const system: Message[] = instructions === undefined ? [] : [{
    role: "system", output: false,
    parts: Array.isArray(instructions) ? instructions.map(genAiPart).filter((p): p is MessagePart => p !== null) : [{ type: "text", text: text(instructions) }],
  }];
  return [...system, ...genAiMessages(attributes["gen_ai.input.messages"], false), ...genAiMessages(attributes["gen_ai.output.messages"], true)];
}

/**
 * Flattened attributes under a prefix, grouped by their index: `prefix.0.role`, `prefix.0.content` → [{role, content}],
 * ordered by index. Keys below the index keep the rest of their path (`tool_calls.0.name`).
 */
export function indexed(attributes: Attributes, prefix: string): Attributes[] {
  const groups = new Map<number, Attributes>();
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith(`${prefix}.`)) continue;
    const rest = key.slice(prefix.length + 1);
    const dot = rest.indexOf(".");
    const index = Number(dot < 0 ? rest : rest.slice(0, dot));
    if (!Number.isInteger(index) || dot < 0) continue;
    if (!groups.has(index)) groups.set(index, {});
    groups.get(index)![rest.slice(dot + 1)] = value;
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}

/** The attributes under a prefix, without it: `message.role` → `role`. */
const under = (attributes: Attributes, prefix: string): Attributes =>
  Object.fromEntries(Object.entries(attributes).filter(([k]) => k.startsWith(`${prefix}.`)).map(([k, v]) => [k.slice(prefix.length + 1), v]));

/** Text first, then the tool calls, then the tool result a tool message answers with. */
function flatMessage(role: string, output: boolean, content: unknown, toolCalls: Attributes[], toolCallId: unknown, finishReason?: unknown): Message {
  const parts: MessagePart[] = [];
  if (role === "tool" && content !== undefined) parts.push({ type: "tool_call_response", id: optional(toolCallId), response: text(content) });
  else if (content !== undefined && content !== "") parts.push({ type: "text", text: text(content) });
  for (const call of toolCalls) parts.push({ type: "tool_call", ...call } as MessagePart);
  return { role, output, parts, finishReason: optional(finishReason) };
}

/** OpenLLMetry's `gen_ai.prompt.N.*` and `gen_ai.completion.N.*`, with `tool_calls.M.{id,name,arguments}`. */
function olderGenAi(attributes: Attributes): Message[] {
  const read = (prefix: string, output: boolean) => indexed(attributes, prefix).map((m) => {
    const calls = indexed(m, "tool_calls").map((c) => ({ id: optional(c.id), name: text(c.name ?? ""), arguments: optional(c.arguments) }));
    return flatMessage(text(m.role ?? (output ? "assistant" : "user")), output, m.content, calls, m.tool_call_id, m.finish_reason);
  });
  return [...read("gen_ai.prompt", false), ...read("gen_ai.completion", true)];
}

/** OpenInference's `llm.input_messages.N.message.*`: content or contents.M.message_content.text, tool_calls.M.tool_call.*. */
function openInference(attributes: Attributes): Message[] {
  const read = (prefix: string, output: boolean) => indexed(attributes, prefix).map((group) => {
    const message = under(group, "message");
    const contents = indexed(message, "contents").map((c) => c["message_content.text"]).filter((t) => t !== undefined);
    const calls = indexed(message, "tool_calls").map((c) => ({
      id: optional(c["tool_call.id"]), name: text(c["tool_call.function.name"] ?? ""), arguments: optional(c["tool_call.function.arguments"]),
    }));
    const content = message.content ?? (contents.length ? contents.map(text).join("\n") : undefined);
    return flatMessage(text(message.role ?? (output ? "assistant" : "user")), output, content, calls, message.tool_call_id);
  });
  return [...read("llm.input_messages", false), ...read("llm.output_messages", true)];
}

/** Tool calls as the OpenAI-shaped events carry them: [{id, type, function: {name, arguments}}]. */
function eventToolCalls(value: unknown): Attributes[] {
  const calls = parsed(value);
  if (!Array.isArray(calls)) return [];
  return calls.map((call) => {
    const c = record(call);
    const fn = record(c.function);
    return { id: optional(c.id), name: text(fn.name ?? c.name ?? ""), arguments: optional(fn.arguments ?? c.arguments) };
  });
}

const EVENT_ROLES: Record<string, string> = {
  "gen_ai.system.message": "system", "gen_ai.user.message": "user", "gen_ai.assistant.message": "assistant", "gen_ai.tool.message": "tool",
};

/** The GenAI events: `gen_ai.{system,user,assistant,tool}.message` given, `gen_ai.choice` answered (its `message`). */
function genAiEvents(events: SpanEvent[]): Message[] {
  return events.flatMap((event) => {
    const attributes = event.attributes ?? {};
    if (event.name === "gen_ai.choice") {
      const message = { ...record(parsed(attributes.message)), ...under(attributes, "message") };
      return [flatMessage(text(message.role ?? "assistant"), true, message.content, eventToolCalls(message.tool_calls), undefined, attributes.finish_reason)];
    }
    const role = EVENT_ROLES[event.name];
    if (!role) return [];
    return [flatMessage(text(attributes.role ?? role), false, attributes.content, eventToolCalls(attributes.tool_calls), attributes.id)];
  });
}

/** The span's conversation, empty when it carries none. */
export function conversation(attributes: Attributes, events: SpanEvent[] = []): Message[] {
  for (const read of [currentGenAi, olderGenAi, openInference]) {
    const messages = read(attributes);
    if (messages.length) return messages;
  }
  return genAiEvents(events);
}
