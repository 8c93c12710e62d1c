import { request } from "../api/graphql";
import { compareUrl, runUrl, type TableState } from "../app/viewState";
import { ProjectRunEventsDocument, ProjectRunsDocument, type RunRowFragment, type RunStatus } from "../gql/graphql";
import { subscribe } from "../live/client";
import { errorState, formatNumber, formatTime, h, link, loading } from "../ui/dom";
import { formatParam, isSortable, metricColumn, metricValue, paramColumn, paramPaths, paramValue, runQueryArguments } from "./columns";
import { runDuration, statusBadge } from "./status";

const PAGE_SIZE = 50;
const STATUSES: RunStatus[] = ["RUNNING", "COMPLETED", "FAILED", "CRASHED"];
const FIXED: [string, string][] = [["status", "Status"], ["name", "Name"], ["model", "Model"], ["created", "Created"], ["duration", "Duration"]];
/** Columns shown before the user picks any: the first run's first hyperparameters and metrics. */
const DEFAULT_PARAMS = 4;
const DEFAULT_METRICS = 3;

function cellText(run: RunRowFragment, column: string): Node | string {
  switch (column) {
    case "status": return statusBadge(run.status);
    case "name": return link(runUrl(run.id), run.name ?? `run ${run.id}`);
    case "model": return run.model.name;
    case "created": return formatTime(run.createdAt);
    case "duration": return runDuration(run);
  }
  if (column.startsWith("p:")) return formatParam(paramValue(run.hyperparameters, column.slice(2)));
  const value = metricValue(run, column);
  return value == null ? "–" : typeof value === "number" ? formatNumber(value) : value;
}

const columnLabel = (column: string) => FIXED.find(([key]) => key === column)?.[1] ?? column.slice(2).replace("~", " · ");

/**
 * The runs of a project: filtered and sorted by the server, paged by cursor as the user scrolls, updated live
 * from `runEvents`; selected runs link to the compare view. Table state changes are reported for the URL.
 */
export function mountRunsTable(root: HTMLElement, project: string, initial: TableState, onStateChange: (table: TableState) => void): () => void {
  let table = initial;
  const runs = new Map<string, { run: RunRowFragment; row: HTMLTableRowElement }>();
  const selected = new Set<string>();
  let params = table.params;
  let metrics = table.metrics;
  let endCursor: string | null | undefined;
  let hasNextPage = false;
  let totalCount = 0;
  let loadController: AbortController | undefined;
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  const pendingEvents = new Map<string, RunRowFragment | null>();
  let newRuns = 0;

  const count = h("span", { className: "muted", role: "status" });
  const compareLink = h("a", { className: "button primary", "aria-disabled": "true" }, "Compare selected");
  const notice = h("button", { type: "button", className: "notice", hidden: true, onclick: () => reload() });
  const columnsPicker = h("details", { className: "columns-picker" });
  const thead = h("thead");
  const tbody = h("tbody");
  const status = h("div", { className: "table-status" });
  const more = h("button", { type: "button", className: "load-more", hidden: true, onclick: () => loadPage() }, "Load more runs");

  const columns = () => [...FIXED.map(([key]) => key), ...params, ...metrics];

  function setState(change: Partial<TableState>, delay = 0): void {
    table = { ...table, ...change };
    onStateChange(table);
    clearTimeout(searchTimer);
    searchTimer = setTimeout(reload, delay);
  }

  function renderRow(run: RunRowFragment, row = h("tr")): HTMLTableRowElement {
    const checkbox = h("input", {
      type: "checkbox", checked: selected.has(run.id), "aria-label": `Select ${run.name ?? run.id}`,
      onchange: () => {
        if (checkbox.checked) selected.add(run.id);
        else selected.delete(run.id);
        renderSelection();
      },
    });
    row.dataset.runId = run.id;
    row.replaceChildren(h("td", {}, checkbox), ...columns().map((column) => h("td", { className: column.startsWith("m:") ? "num" : "" }, cellText(run, column))));
    return row;
  }

  function renderSelection(): void {
    const ids = [...selected];
    compareLink.textContent = `Compare selected (${ids.length})`;
    if (ids.length) {
      compareLink.setAttribute("href", compareUrl(ids));
      compareLink.removeAttribute("aria-disabled");
    } else {
      compareLink.removeAttribute("href");
      compareLink.setAttribute("aria-disabled", "true");
    }
  }

  function renderHeader(): void {
    const sortButton = (column: string) => {
      const active = table.sort?.column === column;
      const arrow = active ? (table.sort!.desc ? " ▼" : " ▲") : "";
      // asc → desc → unsorted (newest first, the server's tie-break)
      const next = !active ? { column, desc: false } : !table.sort!.desc ? { column, desc: true } : undefined;
      return isSortable(column)
        ? h("button", { type: "button", className: "sort", onclick: () => { setState({ sort: next }); renderHeader(); } }, columnLabel(column), arrow)
        : columnLabel(column);
    };
    const filterCell = (column: string) => {
      if (!column.startsWith("p:") && !column.startsWith("m:")) return h("th");
      const input = h("input", {
        type: "search", value: table.filters[column] ?? "", placeholder: column.startsWith("m:") ? "< 0.5" : "= value",
        "aria-label": `Filter ${columnLabel(column)}`, className: "filter",
        oninput: () => setState({ filters: { ...table.filters, [column]: input.value } }, 300),
      });
      return h("th", {}, input);
    };
    thead.replaceChildren(
      h("tr", {}, h("th", { className: "select" }, ""), ...columns().map((column) => h("th", {
        scope: "col", "aria-sort": table.sort?.column === column ? (table.sort.desc ? "descending" : "ascending") : undefined,
      }, sortButton(column)))),
      h("tr", { className: "filters" }, h("th"), ...columns().map(filterCell)));
  }

  /** Checkboxes for every hyperparameter and metric seen in the loaded runs. */
  function renderColumnsPicker(): void {
    const loaded = [...runs.values()].map((r) => r.run);
    const allParams = [...new Set([...params, ...loaded.flatMap((run) => paramPaths(run.hyperparameters).map(paramColumn))])];
    const allMetrics = [...new Set([...metrics, ...loaded.flatMap((run) => run.summaries.map((s) => metricColumn(s.name, s.split)))])];
    const option = (column: string, chosen: string[], key: "params" | "metrics") => {
      const box = h("input", {
        type: "checkbox", checked: chosen.includes(column),
        onchange: () => {
          const next = box.checked ? [...chosen, column] : chosen.filter((c) => c !== column);
          if (key === "params") params = next; else metrics = next;
          table = { ...table, params, metrics };
          onStateChange(table);
          renderHeader();
          runs.forEach(({ run, row }) => renderRow(run, row));
          renderColumnsPicker();
        },
      });
      return h("label", {}, box, " ", columnLabel(column));
    };
    const open = columnsPicker.open;
    columnsPicker.replaceChildren(h("summary", {}, "Columns"),
      h("fieldset", {}, h("legend", {}, "Hyperparameters"), ...allParams.map((c) => option(c, params, "params"))),
      h("fieldset", {}, h("legend", {}, "Metrics (last value)"), ...allMetrics.map((c) => option(c, metrics, "metrics"))));
    columnsPicker.open = open;
  }

  async function loadPage(first = false): Promise<void> {
    loadController?.abort();
    const controller = (loadController = new AbortController());
    more.hidden = true;
    status.replaceChildren(loading(first ? "Loading runs…" : "Loading more runs…"));
    try {
      const { filter, orderBy } = runQueryArguments(table);
      const { runs: page } = await request(ProjectRunsDocument,
        { project, modelId: table.modelId, filter, orderBy, first: PAGE_SIZE, after: first ? undefined : endCursor }, controller.signal);
      if (first) {
        runs.clear();
        tbody.replaceChildren();
        const firstRun = page.edges[0]?.node;
        if (!table.params.length && !table.metrics.length && firstRun && params.length + metrics.length === 0) {
          params = paramPaths(firstRun.hyperparameters).slice(0, DEFAULT_PARAMS).map(paramColumn);
          metrics = firstRun.summaries.slice(0, DEFAULT_METRICS).map((s) => metricColumn(s.name, s.split));
        }
        renderHeader();
      }
      for (const { node } of page.edges) {
        if (runs.has(node.id)) continue;
        const row = renderRow(node);
        runs.set(node.id, { run: node, row });
        tbody.append(row);
      }
      ({ endCursor, hasNextPage } = page.pageInfo);
      totalCount = page.totalCount;
      count.textContent = `${totalCount} run${totalCount === 1 ? "" : "s"}`;
      status.replaceChildren(totalCount ? "" : h("p", { className: "state" }, "No runs match. Change the filters, or log a run."));
      more.hidden = !hasNextPage;
      renderColumnsPicker();
    } catch (error) {
      if (!controller.signal.aborted) status.replaceChildren(errorState(error, () => loadPage(first)));
    }
  }

  function reload(): void {
    newRuns = 0;
    notice.hidden = true;
    loadPage(true);
  }

  /** Live events are applied once per frame: a busy project sends many SUMMARY_CHANGED events per second. */
  function applyEvents(): void {
    for (const [id, run] of pendingEvents) {
      const entry = runs.get(id);
      if (!run) {
        if (entry) {
          entry.row.remove();
          runs.delete(id);
          selected.delete(id);
          count.textContent = `${--totalCount} runs`;
        }
      } else if (entry) {
        entry.run = run;
        renderRow(run, entry.row);
      } else if (run.model.project.name === project && (!table.modelId || run.model.id === table.modelId)) {
        const unfiltered = !table.sort && !table.search && !table.statuses.length && !Object.values(table.filters).some(Boolean);
        if (unfiltered) {
          const row = renderRow(run);
          runs.set(id, { run, row });
          tbody.prepend(row);
          count.textContent = `${++totalCount} runs`;
        } else {
          notice.textContent = `${++newRuns} new run${newRuns === 1 ? "" : "s"}: show`;
          notice.hidden = false;
        }
      }
    }
    pendingEvents.clear();
    renderSelection();
  }

  const unsubscribe = subscribe(ProjectRunEventsDocument, { project }, ({ runEvents }) => {
    if (!pendingEvents.size) requestAnimationFrame(applyEvents);
    pendingEvents.set(runEvents.runId, runEvents.type === "DELETED" ? null : (runEvents.run ?? null));
  });

  const search = h("input", { type: "search", value: table.search, placeholder: "Filter by name", "aria-label": "Filter runs by name",
    oninput: () => setState({ search: search.value }, 300) });
  const statusFilters = STATUSES.map((s) => {
    const box = h("input", { type: "checkbox", checked: table.statuses.includes(s),
      onchange: () => setState({ statuses: box.checked ? [...table.statuses, s] : table.statuses.filter((t) => t !== s) }) });
    return h("label", { className: "chip" }, box, " ", s.toLowerCase());
  });

  const scroller = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && hasNextPage && !more.hidden) loadPage();
  }, { rootMargin: "600px" });
  scroller.observe(more);

  root.append(
    h("div", { className: "table-toolbar" }, search, h("span", { className: "chips", role: "group", "aria-label": "Status" }, ...statusFilters),
      columnsPicker, count, notice, compareLink),
    h("div", { className: "table-scroll" }, h("table", { className: "runs" }, thead, tbody)),
    status, more);
  renderSelection();
  loadPage(true);
  return () => {
    unsubscribe();
    scroller.disconnect();
    loadController?.abort();
    clearTimeout(searchTimer);
  };
}
