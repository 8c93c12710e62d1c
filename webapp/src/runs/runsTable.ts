import { request } from "../api/graphql";
import { navigate } from "../app/router";
import { compareUrl, RUN_STATUSES, runUrl, type TableState } from "../app/viewState";
import { ProjectRunEventsDocument, ProjectRunsDocument, type RunRowFragment } from "../gql/graphql";
import { subscribe } from "../live/client";
import { runColor } from "../charts/runColor";
import { downloadButton, downloadExport } from "../export/download";
import { errorState, formatNumber, h, link, loading, plural, timeElement } from "../ui/dom";
import { addShortcuts } from "../ui/shortcuts";
import { formatParam, isSortable, metricColumn, metricOf, metricValue, paramColumn, paramPaths, paramValue } from "./columns";
import { runsTableState, type LiveChanges } from "./runsTableState";
import { runDuration, statusBadge } from "./status";

const FIXED: [string, string][] = [["status", "Status"], ["name", "Name"], ["model", "Model"], ["created", "Created"], ["duration", "Duration"]];

function cellText(run: RunRowFragment, column: string): Node | string {
  switch (column) {
    case "status": return statusBadge(run.status, run.failure);
    case "name": return h("span", {}, h("span", { className: "swatch", style: `background:${runColor(run.id)}` }), link(runUrl(run.id), run.name ?? `run ${run.id}`));
    case "model": return run.model.name;
    case "created": return timeElement(run.createdAt);
    case "duration": return runDuration(run);
  }
  if (column.startsWith("p:")) return formatParam(paramValue(run.hyperparameters, column.slice(2)));
  const value = metricValue(run, column);
  return value == null ? "–" : typeof value === "number" ? formatNumber(value) : value;
}

const columnLabel = (column: string) => {
  const fixed = FIXED.find(([key]) => key === column)?.[1];
  if (fixed) return fixed;
  if (column.startsWith("p:")) return column.slice(2);
  const { name, split, stat } = metricOf(column);
  return [name, split, stat === "LAST" ? "" : stat.toLowerCase()].filter(Boolean).join(" · ");
};

/**
 * The runs of a project (`runsTableState`: filtered and sorted by the server, paged by cursor as the user scrolls,
 * updated live from `runEvents`); selected runs link to the compare view. Table state changes are reported for the URL.
 */
export function mountRunsTable(root: HTMLElement, project: string, initial: TableState, onStateChange: (table: TableState) => void): () => void {
  const rows = new Map<string, HTMLTableRowElement>();
  const count = h("span", { className: "muted", role: "status" });
  const compareLink = h("a", { className: "button primary", "aria-disabled": "true" }, "Compare selected");
  const notice = h("button", { type: "button", className: "notice", hidden: true, onclick: () => state.reload() });
  const columnsPicker = h("details", { className: "columns-picker" });
  const thead = h("thead");
  const tbody = h("tbody");
  const status = h("div", { className: "table-status" });
  const more = h("button", { type: "button", className: "load-more", hidden: true, onclick: () => state.loadMore() }, "Load more runs");

  const state = runsTableState(project, initial, (variables, signal) => request(ProjectRunsDocument, variables, signal).then(({ runs }) => runs),
    onStateChange, {
      loading: (first) => {
        renderNotice();
        more.hidden = true;
        status.replaceChildren(loading(first ? "Loading runs…" : "Loading more runs…"));
      },
      loaded: (runs, first) => {
        if (first) {
          rows.clear();
          tbody.replaceChildren();
          renderHeader();
        }
        for (const run of runs) tbody.append(renderRow(run));
        renderCount();
        status.replaceChildren(state.totalCount ? "" : h("p", { className: "state" }, "No runs match. Change the filters, or log a run."));
        more.hidden = !state.hasNextPage;
        renderColumnsPicker();
      },
      failed: (error, retry) => status.replaceChildren(errorState(error, retry)),
      live: renderLive,
    });

  const columns = () => [...FIXED.map(([key]) => key), ...state.params, ...state.metrics];

  function renderCount(): void {
    count.textContent = plural(state.totalCount, "run");
  }

  function renderRow(run: RunRowFragment, row = h("tr")): HTMLTableRowElement {
    const checkbox = h("input", {
      type: "checkbox", checked: state.selected.has(run.id), "aria-label": `Select ${run.name ?? run.id}`,
      onchange: () => {
        state.select(run.id, checkbox.checked);
        renderSelection();
      },
    });
    row.dataset.runId = run.id;
    row.replaceChildren(h("td", {}, checkbox), ...columns().map((column) => h("td", { className: column.startsWith("m:") ? "num" : "" }, cellText(run, column))));
    rows.set(run.id, row);
    return row;
  }

  function renderSelection(): void {
    const ids = [...state.selected];
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
    const { sort, filters } = state.table;
    const sortButton = (column: string) => {
      const arrow = sort?.column === column ? (sort.desc ? " ▼" : " ▲") : "";
      return isSortable(column)
        ? h("button", { type: "button", className: "sort", onclick: () => { state.sortBy(column); renderHeader(); } }, columnLabel(column), arrow)
        : columnLabel(column);
    };
    const filterCell = (column: string) => {
      if (!column.startsWith("p:") && !column.startsWith("m:")) return h("th");
      const input = h("input", {
        type: "search", value: filters[column] ?? "", placeholder: column.startsWith("m:") ? "< 0.5" : "= value",
        "aria-label": `Filter ${columnLabel(column)}`, className: "filter",
        oninput: () => state.filter(column, input.value),
      });
      return h("th", {}, input);
    };
    thead.replaceChildren(
      h("tr", {}, h("th", { className: "select" }, ""), ...columns().map((column) => h("th", {
        scope: "col", "aria-sort": sort?.column === column ? (sort.desc ? "descending" : "ascending") : undefined,
      }, sortButton(column)))),
      h("tr", { className: "filters" }, h("th"), ...columns().map(filterCell)));
  }

  /** Checkboxes for every hyperparameter and metric seen in the loaded runs. */
  function renderColumnsPicker(): void {
    const loaded = [...state.runs.values()];
    const allParams = [...new Set([...state.params, ...loaded.flatMap((run) => paramPaths(run.hyperparameters).map(paramColumn))])];
    const allMetrics = [...new Set([...state.metrics, ...loaded.flatMap((run) => run.summaries.flatMap((s) =>
      (["LAST", "MIN", "MAX"] as const).map((stat) => metricColumn(s.name, s.split, stat))))])];
    const option = (column: string, kind: "params" | "metrics") => {
      const box = h("input", {
        type: "checkbox", checked: state[kind].includes(column),
        onchange: () => {
          state.showColumn(kind, column, box.checked);
          renderHeader();
          state.runs.forEach((run) => renderRow(run, rows.get(run.id)));
          renderColumnsPicker();
        },
      });
      return h("label", {}, box, " ", columnLabel(column));
    };
    const open = columnsPicker.open;
    columnsPicker.replaceChildren(h("summary", {}, "Columns"),
      h("fieldset", {}, h("legend", {}, "Hyperparameters"), ...allParams.map((c) => option(c, "params"))),
      h("fieldset", {}, h("legend", {}, "Metrics (last value, min, max)"), ...allMetrics.map((c) => option(c, "metrics"))));
    columnsPicker.open = open;
  }

  function renderLive({ removed, changed, added }: LiveChanges): void {
    for (const id of removed) {
      rows.get(id)?.remove();
      rows.delete(id);
    }
    for (const run of changed) renderRow(run, rows.get(run.id));
    for (const run of added) tbody.prepend(renderRow(run));
    if (removed.length || added.length) renderCount();
    renderNotice();
    renderSelection();
  }

  /** The runs created since the load that the table, sorted or filtered, cannot place: shown on a click. */
  function renderNotice(): void {
    notice.textContent = `${plural(state.newRuns, "new run")}: show`;
    notice.hidden = !state.newRuns;
  }

  const unsubscribe = subscribe(ProjectRunEventsDocument, { project }, ({ runEvents }) => state.receive(runEvents));

  const search = h("input", { type: "search", value: initial.search, placeholder: "Filter by name", "aria-label": "Filter runs by name",
    oninput: () => state.search(search.value) });
  const statusFilters = RUN_STATUSES.map((s) => {
    const box = h("input", { type: "checkbox", checked: initial.statuses.includes(s), onchange: () => state.showStatus(s, box.checked) });
    return h("label", { className: "chip" }, box, " ", s.toLowerCase());
  });

  const scroller = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && state.hasNextPage && !more.hidden) state.loadMore();
  }, { rootMargin: "600px" });
  scroller.observe(more);

  root.append(
    h("div", { className: "table-toolbar" }, search, h("span", { className: "chips", role: "group", "aria-label": "Status" }, ...statusFilters),
      columnsPicker, count, notice, compareLink,
      // The rows loaded (the table's filters and sort are the server's GraphQL ones, which the export has not).
      downloadButton("Download CSV", () => downloadExport(project, "runs", { format: "csv", run: [...state.runs.keys()].join(",") }, `${project}-runs.csv`))),
    h("div", { className: "table-scroll" }, h("table", { className: "runs" }, thead, tbody)),
    status, more);
  renderSelection();
  state.reload();
  const removeShortcuts = addShortcuts({ keys: "c", description: "Compare the selected runs", scope: "Runs table",
    action: () => compareLink.hasAttribute("href") && navigate(compareLink.getAttribute("href")!) });
  return () => {
    removeShortcuts();
    unsubscribe();
    scroller.disconnect();
    state.dispose();
  };
}
