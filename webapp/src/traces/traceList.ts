import { request } from "../api/graphql";
import { sessionUrl, traceUrl, type TraceListState, type TraceScope } from "../app/viewState";
import { TracesDocument, TraceUpdatesDocument, type SpanStatus, type TraceRowFragment, type TraceSortField } from "../gql/graphql";
import { subscribe } from "../live/client";
import { errorState, formatTime, h, link, loading } from "../ui/dom";
import { formatCost, formatNanos, formatTokens, SPAN_TYPES } from "./format";
import { showsNewestFirst, traceQuery } from "./traceQuery";

const PAGE_SIZE = 50;
const TYPING_DELAY_MS = 300;
const STATUSES: SpanStatus[] = ["OK", "ERROR", "UNSET"];

/** The columns: label, the sort field when the server sorts by it, the cell. */
const COLUMNS: [string, TraceSortField | null, (trace: TraceRowFragment) => Node | string][] = [
  ["Time", "START_TIME", (t) => formatTime(t.startTime)],
  ["Name", null, (t) => link(traceUrl(t.project, t.id), t.name)],
  ["Span type", null, (t) => spanTypeBadge(t.spanType)],
  ["Model", null, (t) => t.model ?? "–"],
  ["Duration", "DURATION", (t) => formatNanos(t.durationNanos)],
  ["Tokens", "TOKENS", (t) => formatTokens(t.totalTokens)],
  ["Cost", "COST", (t) => formatCost(t.cost)],
  ["Status", null, (t) => spanStatusBadge(t.status, t.errorCount)],
  ["Session", null, (t) => (t.sessionId ? link(sessionUrl(t.project, t.sessionId), t.sessionId) : "–")],
];

export const spanTypeBadge = (type: string) => h("span", { className: `span-type span-type-${type.toLowerCase()}` }, type);

export const spanStatusBadge = (status: SpanStatus, errors = 0) =>
  h("span", { className: `status span-status-${status.toLowerCase()}` }, status === "ERROR" && errors > 1 ? `error ×${errors}` : status.toLowerCase());

/** One trace as a table row (the session view's list too). */
export function traceRow(trace: TraceRowFragment, row = h("tr")): HTMLTableRowElement {
  row.dataset.traceId = trace.id;
  row.classList.toggle("error", trace.status === "ERROR");
  row.replaceChildren(...COLUMNS.map(([label, , cell]) => h("td", { className: ["Duration", "Tokens", "Cost"].includes(label) ? "num" : "" }, cell(trace))));
  return row;
}

/** A header without sort buttons: the session view lists its traces in the order they started. */
export const plainTraceHeader = () => h("thead", {}, h("tr", {}, ...COLUMNS.map(([label]) => h("th", { scope: "col" }, label))));

export const traceTable = (thead: HTMLElement, tbody: HTMLElement) => h("div", { className: "table-scroll" }, h("table", { className: "runs traces" }, thead, tbody));

/**
 * The traces of a project or a run: filtered, sorted and paged by the server, updated live from `traceUpdates`
 * (a trace shown is refreshed; a new one goes on top when the list is newest first and unfiltered, else a notice
 * offers to reload). Changes of the filters and sort are reported for the URL.
 */
export function mountTraceList(root: HTMLElement, scope: TraceScope, initial: TraceListState, onStateChange: (list: TraceListState) => void): () => void {
  let list = initial;
  const traces = new Map<string, TraceRowFragment>();
  const rows = new Map<string, HTMLTableRowElement>();
  let totalCount = 0;
  let endCursor: string | null | undefined;
  let hasNextPage = false;
  /** Traces that came live and that the list, sorted or filtered, cannot place: a reload shows them. */
  const newTraces = new Set<string>();
  let controller: AbortController | undefined;
  let typing: ReturnType<typeof setTimeout> | undefined;

  const count = h("span", { className: "muted", role: "status" });
  const liveState = h("span", { className: "muted" });
  const notice = h("button", { type: "button", className: "notice", hidden: true, onclick: () => load(true) });
  const thead = h("thead");
  const tbody = h("tbody");
  const status = h("div", { className: "table-status" });
  const more = h("button", { type: "button", className: "load-more", hidden: true, onclick: () => load(false) }, "Load more traces");

  async function load(first: boolean): Promise<void> {
    controller?.abort();
    controller = new AbortController();
    const { signal } = controller;
    more.hidden = true;
    status.replaceChildren(loading(first ? "Loading traces…" : "Loading more traces…"));
    try {
      const { traces: page } = await request(TracesDocument, { ...traceQuery(scope, list), first: PAGE_SIZE, after: first ? null : endCursor }, signal);
      if (first) {
        traces.clear();
        rows.clear();
        tbody.replaceChildren();
        newTraces.clear();
        renderNotice();
      }
      for (const { node } of page.edges) {
        if (traces.has(node.id)) continue;
        traces.set(node.id, node);
        tbody.append(renderRow(node));
      }
      totalCount = page.totalCount;
      hasNextPage = page.pageInfo.hasNextPage;
      endCursor = page.pageInfo.endCursor;
      renderCount();
      status.replaceChildren(totalCount ? "" : h("p", { className: "state" }, "No traces match. Change the filters, or send spans to /v1/traces."));
      more.hidden = !hasNextPage;
    } catch (error) {
      if (!signal.aborted) status.replaceChildren(errorState(error, () => load(first)));
    }
  }

  function renderRow(trace: TraceRowFragment): HTMLTableRowElement {
    const row = traceRow(trace, rows.get(trace.id));
    rows.set(trace.id, row);
    return row;
  }

  function renderCount(): void {
    count.textContent = `${totalCount} trace${totalCount === 1 ? "" : "s"}`;
  }

  function renderNotice(): void {
    notice.textContent = `${newTraces.size} new trace${newTraces.size === 1 ? "" : "s"}: show`;
    notice.hidden = !newTraces.size;
  }

  /** Sortable columns toggle between descending and ascending; the list is newest first until one is picked. */
  function renderHeader(): void {
    const desc = list.sort ? list.sort.desc : true;
    thead.replaceChildren(h("tr", {}, ...COLUMNS.map(([label, field]) => {
      if (!field) return h("th", { scope: "col" }, label);
      const current = (list.sort?.field ?? "START_TIME") === field;
      const button = h("button", { type: "button", className: "sort", onclick: () => change({ sort: { field, desc: current ? !desc : true } }) },
        label, current ? (desc ? " ▼" : " ▲") : "");
      return h("th", { scope: "col", "aria-sort": current ? (desc ? "descending" : "ascending") : undefined }, button);
    })));
  }

  function change(changes: Partial<TraceListState>, delay = 0): void {
    list = { ...list, ...changes };
    onStateChange(list);
    renderHeader();
    clearTimeout(typing);
    typing = setTimeout(() => load(true), delay);
  }

  /** A trace as it is now: its row refreshed, or a new row on top, or counted for the notice. */
  function receive(trace: TraceRowFragment): void {
    if (traces.has(trace.id)) {
      traces.set(trace.id, trace);
      renderRow(trace);
    } else if (showsNewestFirst(list)) {
      traces.set(trace.id, trace);
      tbody.prepend(renderRow(trace));
      totalCount++;
      renderCount();
      status.replaceChildren();
    } else {
      newTraces.add(trace.id);
      renderNotice();
    }
  }

  const unsubscribe = subscribe(TraceUpdatesDocument, { project: scope.project, runId: scope.runId }, ({ traceUpdates }) => receive(traceUpdates), (error) => {
    // the list works on without: it is only not live
    console.warn("trace updates failed", error);
    liveState.textContent = "Not live: reload for new traces";
  });

  const textFilter = (key: "search" | "model" | "session", placeholder: string, label: string) => {
    const input = h("input", { type: "search", value: list[key], placeholder, "aria-label": label, oninput: () => change({ [key]: input.value }, TYPING_DELAY_MS) });
    return input;
  };
  const statusFilters = STATUSES.map((s) => {
    const box = h("input", { type: "checkbox", checked: list.statuses.includes(s),
      onchange: () => change({ statuses: box.checked ? [...list.statuses, s] : list.statuses.filter((x) => x !== s) }) });
    return h("label", { className: "chip" }, box, " ", s.toLowerCase());
  });
  const typeSelect = h("select", {
    "aria-label": "Span type",
    onchange: () => change({ spanTypes: typeSelect.value ? [typeSelect.value as (typeof SPAN_TYPES)[number]] : [] }),
  }, h("option", { value: "" }, "Any span type"), ...SPAN_TYPES.map((t) => h("option", { value: t, selected: list.spanTypes[0] === t }, t)));

  const scroller = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && hasNextPage && !more.hidden) void load(false);
  }, { rootMargin: "600px" });
  scroller.observe(more);

  root.append(
    h("div", { className: "table-toolbar" },
      textFilter("search", "Filter by span name", "Filter traces by span name"),
      h("span", { className: "chips", role: "group", "aria-label": "Status" }, ...statusFilters),
      typeSelect,
      textFilter("model", "Model", "Filter traces by model"),
      textFilter("session", "Session id", "Filter traces by session"),
      count, liveState, notice),
    traceTable(thead, tbody), status, more);
  renderHeader();
  void load(true);
  return () => {
    clearTimeout(typing);
    controller?.abort();
    unsubscribe();
    scroller.disconnect();
  };
}
