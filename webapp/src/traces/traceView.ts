import { ApiError, request } from "../api/graphql";
import { replaceView } from "../app/router";
import { projectUrl, runUrl, sessionUrl, tracesUrl, type View } from "../app/viewState";
import { addToDatasetForm } from "../evals/addToDataset";
import { TraceDetailsDocument, type SpanDetailsFragment, type TraceDetailsQuery } from "../gql/graphql";
import { errorState, formatTime, h, link, loading } from "../ui/dom";
import { formatCost, formatNanos, formatTokens, isoMicros } from "./format";
import { spanPanel } from "./spanPanel";
import { ancestors, spanTree, visibleNodes, type SpanNode } from "./spanTree";
import { spanStatusBadge, spanTypeBadge } from "./traceList";
import { mountWaterfall, type WaterfallRow } from "./waterfall";

type TraceViewState = Extract<View, { kind: "trace" }>;

/** Rows of the span tree added per task. */
const TREE_CHUNK = 200;
type Trace = NonNullable<TraceDetailsQuery["trace"]>;

/** Scrolls the tree, not the page (the span may have been picked in the waterfall), to show one of its rows. */
function scrollWithin(tree: HTMLElement, item: HTMLElement): void {
  const box = tree.getBoundingClientRect();
  const itemBox = item.getBoundingClientRect();
  if (itemBox.top < box.top || itemBox.bottom > box.bottom) tree.scrollTop += itemBox.top - box.top - box.height / 2;
}

function traceFacts(trace: Trace): HTMLElement {
  const fact = (label: string, value: Node | string | null | undefined) => (value ? [h("dt", {}, label), h("dd", {}, value)] : []);
  return h("dl", { className: "facts trace-facts" },
    ...fact("Status", spanStatusBadge(trace.status, trace.errorCount)),
    ...fact("Started", formatTime(trace.startTime)),
    ...fact("Duration", formatNanos(trace.durationNanos)),
    ...fact("Spans", `${trace.spanCount}${trace.errorCount ? `, ${trace.errorCount} failed` : ""}`),
    ...fact("Model", trace.model),
    ...fact("Tokens", trace.totalTokens != null ? `${formatTokens(trace.inputTokens)} in · ${formatTokens(trace.outputTokens)} out` : null),
    ...fact("Cost", trace.cost != null ? formatCost(trace.cost) : null),
    ...fact("Session", trace.sessionId && link(sessionUrl(trace.project, trace.sessionId), trace.sessionId)),
    ...fact("Run", trace.runId && link(runUrl(trace.runId), `Run ${trace.runId}`)),
    ...fact("Service", trace.serviceName));
}

/**
 * `/projects/:name/traces/:id?span=`: a trace's waterfall above its span tree (collapsible; the waterfall shows the
 * same rows) and the selected span's panel. The selection is in the URL, so that a link lands on the same span.
 */
export function traceView(root: HTMLElement, view: TraceViewState): () => void {
  const controller = new AbortController();
  const cleanups: (() => void)[] = [() => controller.abort()];
  root.append(loading("Loading the trace…"));
  const load = () =>
    request(TraceDetailsDocument, { id: view.traceId, project: view.project }, controller.signal)
      .then(({ trace }) => {
        if (!trace) throw new ApiError(`No trace with id ${view.traceId} in ${view.project}`, "NOT_FOUND");
        performance.mark("trackstack:trace-loaded"); // read by the performance test, as trackstack:trace-drawn
        cleanups.push(showTrace(root, view, trace));
      })
      .catch((error) => controller.signal.aborted || root.replaceChildren(errorState(error, load)));
  load();
  return () => cleanups.forEach((cleanup) => cleanup());
}

function showTrace(root: HTMLElement, view: TraceViewState, trace: Trace): () => void {
  const spans = new Map(trace.spans.map((span) => [span.spanId, span]));
  const roots = spanTree(trace.spans);
  const startMicros = isoMicros(trace.startTime);
  const collapsed = new Set<string>();
  let selected = view.spanId && spans.has(view.spanId) ? view.spanId : trace.rootSpanId;
  let shown: SpanNode<SpanDetailsFragment>[] = [];
  let renders = 0; // a new render stops the chunks of the one before

  const chart = h("div", { className: "chart waterfall", role: "img", "aria-label": "Waterfall of the trace's spans" });
  const tree = h("div", { className: "span-tree", role: "tree", "aria-label": "Spans", onclick: onTreeEvent, onkeydown: onTreeEvent });
  const panel = h("div", { className: "span-panel-slot" });
  root.replaceChildren(
    h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / ", link(projectUrl(trace.project), trace.project), " / ",
      link(tracesUrl({ project: trace.project }), "Traces"), " /"),
    h("h1", {}, trace.name, " ", spanTypeBadge(trace.spanType)),
    traceFacts(trace),
    h("section", { className: "panel chart-card", "aria-label": "Waterfall" }, chart),
    h("div", { className: "trace-body" }, tree, panel));
  const waterfall = mountWaterfall(chart, (spanId) => select(spanId));

  const row = (node: SpanNode<SpanDetailsFragment>): WaterfallRow => {
    const start = (isoMicros(node.span.startTime) - startMicros) / 1000;
    return {
      spanId: node.span.spanId, name: node.span.name, depth: node.depth, spanType: node.span.spanType, error: node.span.status === "ERROR",
      startMs: start, endMs: start + node.span.durationNanos / 1e6, durationNanos: node.span.durationNanos,
    };
  };

  /** A row of the tree; clicks and keys are handled by the tree for all its rows (there may be thousands). */
  function treeRow(node: SpanNode<SpanDetailsFragment>): HTMLElement {
    const { span } = node;
    const open = !collapsed.has(span.spanId);
    const twisty = node.children.length
      ? h("button", { type: "button", className: "twisty", "aria-label": `${open ? "Collapse" : "Expand"} ${span.name}` }, open ? "▾" : "▸")
      : h("span", { className: "twisty" });
    return h("div", {
      role: "treeitem", className: `tree-row${span.status === "ERROR" ? " error" : ""}`, tabIndex: -1,
      "aria-level": node.depth + 1, "aria-expanded": node.children.length ? String(open) : undefined, "aria-selected": String(span.spanId === selected),
      "data-span-id": span.spanId, style: `padding-left: ${Math.min(node.depth, 24) * 14}px`,
    }, twisty, spanTypeBadge(span.spanType), " ", h("span", { className: "tree-name" }, span.name), " ",
      h("span", { className: "muted" }, formatNanos(span.durationNanos)));
  }

  /** A click on a row's twisty collapses or expands it, elsewhere on the row (or Enter) selects its span. */
  function onTreeEvent(event: Event): void {
    if (event instanceof KeyboardEvent && event.key !== "Enter") return;
    const item = (event.target as Element).closest<HTMLElement>("[data-span-id]");
    if (!item) return;
    const spanId = item.dataset.spanId!;
    if (!(event.target as Element).closest("button.twisty")) return select(spanId);
    if (collapsed.has(spanId)) collapsed.delete(spanId);
    else collapsed.add(spanId);
    render();
  }

  /**
   * The tree and the waterfall, at first and after a span was collapsed or expanded. The tree's first rows (to the
   * selected one) come at once, the others a chunk per task after it: a trace may have thousands of spans.
   */
  function render(): void {
    shown = visibleNodes(roots, collapsed);
    const generation = ++renders;
    const appendFrom = (from: number, to: number) => {
      if (generation !== renders || from >= shown.length) return;
      tree.append(...shown.slice(from, to).map(treeRow));
      setTimeout(() => appendFrom(to, to + TREE_CHUNK));
    };
    tree.replaceChildren();
    appendFrom(0, shown.findIndex((node) => node.span.spanId === selected) + TREE_CHUNK);
    waterfall.show(shown.map(row), selected);
  }

  function renderPanel(): void {
    const span = spans.get(selected)!;
    panel.replaceChildren(spanPanel(span, startMicros, span.spanType === "LLM" ? addToDatasetForm(view.project, view.traceId, span.spanId) : undefined));
  }

  function select(spanId: string): void {
    if (!spans.has(spanId)) return;
    selected = spanId;
    replaceView({ ...view, spanId });
    const hidden = ancestors(spans, spanId).filter((id) => collapsed.has(id));
    if (hidden.length) {
      hidden.forEach((id) => collapsed.delete(id));
      render();
    } else {
      tree.querySelectorAll("[aria-selected=true]").forEach((e) => e.setAttribute("aria-selected", "false"));
      waterfall.select(spanId);
    }
    const item = tree.querySelector<HTMLElement>(`[data-span-id="${CSS.escape(spanId)}"]`);
    if (item) {
      item.setAttribute("aria-selected", "true");
      scrollWithin(tree, item);
    }
    renderPanel();
  }

  render();
  renderPanel();
  performance.mark("trackstack:trace-drawn"); // read by the performance test
  return () => {
    renders++;
    waterfall.dispose();
  };
}
