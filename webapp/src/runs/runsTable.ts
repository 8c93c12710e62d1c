import { request } from "../api/graphql";
import { navigate } from "../app/router";
import { compareUrl, RUN_STATUSES, runUrl, type TableState } from "../app/viewState";
import { DeleteRunsDocument, MatchingRunsDocument, ProjectRunEventsDocument, ProjectRunsDocument, RunStatusCountsDocument, UpdateRunDocument, type RunRowFragment, type RunStatus } from "../gql/graphql";
import { subscribe } from "../live/client";
import { runColor } from "../charts/runColor";
import { downloadButton, downloadExport } from "../export/download";
import { errorState, formatNumber, h, link, loading, plural, timeElement } from "../ui/dom";
import { addShortcuts } from "../ui/shortcuts";
import { confirmButton } from "../ui/confirm";
import { allMatching, inBatches, statusCountFilters, withTag } from "./bulk";
import { loadLayout, MIN_WIDTH, moveColumn, orderColumns, saveLayout } from "./columnLayout";
import { formatParam, isSortable, metricColumn, metricOf, metricValue, paramColumn, paramPaths, paramValue, runQueryArguments, varyingParamPaths } from "./columns";
import { groupControl } from "../compare/groupControl";
import { groupRuns } from "../compare/groups";
import { aggregateOf, aggregateText } from "./groupedRows";
import { runsTableState, type LiveChanges } from "./runsTableState";
import { runDuration, statusBadge } from "./status";

const FIXED: [string, string][] = [["status", "Status"], ["name", "Name"], ["model", "Model"], ["created", "Created"], ["duration", "Duration"], ["tags", "Tags"]];
/** Runs tagged at a time by "Add tag" (one updateRun each). */
const TAGGING_PARALLEL = 8;
/** The largest page of `runs` (the server's default cap): "select all matching" fetches the ids this many at a time. */
const MATCHING_PAGE = 500;
/** Status counts are fetched again at most this often while runs change live. */
const COUNTS_EVERY_MS = 2000;

function cellText(run: RunRowFragment, column: string): Node | string {
  switch (column) {
    case "status": return statusBadge(run.status, run.failure);
    case "name": return h("span", {}, h("span", { className: "swatch", style: `background:${runColor(run.id)}` }), link(runUrl(run.id), run.name ?? `run ${run.id}`));
    case "model": return run.model.name;
    case "created": return timeElement(run.createdAt);
    case "duration": return runDuration(run);
    case "tags": return h("span", { className: "tags" }, ...run.tags.map((tag) => h("span", { className: "tag" }, tag)));
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
  const controller = new AbortController();
  const count = h("span", { className: "muted", role: "status" });
  const compareLink = h("a", { className: "button primary", "aria-disabled": "true" }, "Compare selected");
  const notice = h("button", { type: "button", className: "notice", hidden: true, onclick: () => state.reload() });
  const columnsPicker = h("details", { className: "columns-picker" });
  const groupPicker = h("details", { className: "group-picker" });
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
          void loadCounts();
        }
        if (state.table.groupBy.length) renderGroups();
        else for (const run of runs) tbody.append(renderRow(run));
        renderCount();
        status.replaceChildren(state.totalCount ? "" : h("p", { className: "state" }, "No runs match. Change the filters, or log a run."));
        more.hidden = !state.hasNextPage;
        renderColumnsPicker();
        renderGroupPicker();
      },
      failed: (error, retry) => status.replaceChildren(errorState(error, retry)),
      live: renderLive,
    });

  // in the order the user dragged them to, at the widths they were pulled to (kept in this browser, per project)
  const layout = loadLayout(project);
  const columns = () => orderColumns([...FIXED.map(([key]) => key), ...state.params, ...state.metrics], layout.order);
  /** Every run matching the filter, once "select all" fetched them: their tags, for runs not loaded. */
  const matching = new Map<string, string[]>();

  function renderCount(): void {
    count.textContent = plural(state.totalCount, "run");
    renderSelection();
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
    const loaded = [...state.runs.keys()];
    selectLoaded.checked = loaded.length > 0 && loaded.every((id) => state.selected.has(id));
    selectLoaded.indeterminate = !selectLoaded.checked && ids.length > 0;
    selection.hidden = !ids.length;
    selectedCount.textContent = `${plural(ids.length, "run")} selected`;
    selectMatching.hidden = !selectLoaded.checked || state.totalCount <= ids.length;
    selectMatching.textContent = `Select all ${plural(state.totalCount, "run")} matching the filter`;
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
      if (!column.startsWith("p:") && !column.startsWith("m:") && column !== "tags") return h("th");
      const input = h("input", {
        type: "search", value: filters[column] ?? "", placeholder: column.startsWith("m:") ? "< 0.5" : column === "tags" ? "tag, tag" : "= value",
        "aria-label": `Filter ${columnLabel(column)}`, className: "filter",
        oninput: () => state.filter(column, input.value),
      });
      return h("th", {}, input);
    };
    thead.replaceChildren(
      h("tr", {}, h("th", { className: "select" }, selectLoaded), ...columns().map((column) => headerCell(column, sortButton(column)))),
      h("tr", { className: "filters" }, h("th"), ...columns().map(filterCell)));
  }

  /** A column's header: dragged onto another to move the column there, its right edge pulled to widen it. */
  function headerCell(column: string, label: Node | string): HTMLTableCellElement {
    const { sort } = state.table;
    const width = layout.widths[column];
    const handle = h("span", { className: "col-resize", "aria-hidden": "true" });
    const th = h("th", {
      scope: "col", draggable: "true", "data-column": column, style: width ? `width:${width}px;min-width:${width}px` : undefined,
      "aria-sort": sort?.column === column ? (sort.desc ? "descending" : "ascending") : undefined,
    }, label, handle);
    th.addEventListener("dragstart", (event) => {
      if (th.dataset.resizing) return event.preventDefault();
      event.dataTransfer!.setData("text/x-column", column);
      event.dataTransfer!.effectAllowed = "move";
    });
    th.addEventListener("dragover", (event) => {
      if (event.dataTransfer?.types.includes("text/x-column")) event.preventDefault();
    });
    th.addEventListener("drop", (event) => {
      const moved = event.dataTransfer?.getData("text/x-column");
      if (!moved) return;
      event.preventDefault();
      layout.order = moveColumn(columns(), moved, column);
      saveLayout(project, layout);
      rerender();
    });
    handle.addEventListener("pointerdown", (down) => {
      down.preventDefault();
      th.dataset.resizing = "1";
      handle.setPointerCapture(down.pointerId);
      const start = th.getBoundingClientRect().width;
      const move = (event: PointerEvent) => {
        const px = Math.max(MIN_WIDTH, Math.round(start + event.clientX - down.clientX));
        th.style.width = th.style.minWidth = `${px}px`;
        layout.widths[column] = px;
      };
      handle.addEventListener("pointermove", move);
      handle.addEventListener("pointerup", () => {
        handle.removeEventListener("pointermove", move);
        delete th.dataset.resizing;
        saveLayout(project, layout);
      }, { once: true });
    });
    return th;
  }

  /** The header and every row again: the columns changed. */
  function rerender(): void {
    renderHeader();
    renderRows();
  }

  /** Every row again, in place (or the groups, when grouped). */
  function renderRows(): void {
    if (state.table.groupBy.length) renderGroups();
    else state.runs.forEach((run) => renderRow(run, rows.get(run.id)));
  }

  /** Groups whose runs are shown under them, by id. */
  const expanded = new Set<string>();

  /** Grouped: a row per group (its runs' aggregates in the metric columns), its runs under it once expanded. */
  function renderGroups(): void {
    rows.clear();
    tbody.replaceChildren(...groupRuns([...state.runs.values()], state.table.groupBy).flatMap((group) => {
      const open = expanded.has(group.id);
      const members = group.runs.map((run) => {
        const row = renderRow(run);
        row.classList.add("member");
        row.hidden = !open;
        return row;
      });
      const box = h("input", { type: "checkbox", checked: group.runs.every((run) => state.selected.has(run.id)), "aria-label": `Select the runs of ${group.label}`,
        onchange: () => {
          group.runs.forEach((run) => state.select(run.id, box.checked));
          renderGroups();
          renderSelection();
        } });
      const toggle = h("button", { type: "button", className: "group-toggle", "aria-expanded": String(open), onclick: () => {
        if (!expanded.delete(group.id)) expanded.add(group.id);
        renderGroups();
      } }, group.label);
      const cell = (column: string) => {
        if (column === "name") return h("td", {}, toggle);
        const aggregate = column.startsWith("m:") ? aggregateOf(group.runs, column) : undefined;
        if (!aggregate) return h("td", { className: column.startsWith("m:") ? "num" : "" }, column.startsWith("m:") ? "–" : "");
        const { value, range, title } = aggregateText(aggregate);
        return h("td", { className: "num aggregate", title }, value, h("small", {}, ` ${range}`));
      };
      return [h("tr", { className: "group-row", "data-group": group.id }, h("td", {}, box), ...columns().map(cell)), ...members];
    }));
  }

  /** Group by: the hyperparameters that vary between the runs loaded, the model, the tags. */
  function renderGroupPicker(): void {
    const open = groupPicker.open;
    groupPicker.replaceChildren(h("summary", {}, state.table.groupBy.length ? `Grouped (${state.table.groupBy.length})` : "Group"),
      groupControl(varyingParamPaths([...state.runs.values()]), { by: state.table.groupBy, stat: "mean", band: "minmax" }, ({ by }) => {
        if (!by) return;
        state.groupBy(by);
        if (by.length) renderGroups();
        else {
          rows.clear();
          tbody.replaceChildren(...[...state.runs.values()].map((run) => renderRow(run)));
        }
        renderGroupPicker();
      }, false));
    groupPicker.open = open;
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
          rerender();
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
    if (state.table.groupBy.length) renderGroups();
    else renderLiveRows({ removed, changed, added });
    if (removed.length || added.length) renderCount();
    renderNotice();
    renderSelection();
    scheduleCounts();
  }

  function renderLiveRows({ removed, changed, added }: LiveChanges): void {
    for (const id of removed) {
      rows.get(id)?.remove();
      rows.delete(id);
    }
    for (const run of changed) renderRow(run, rows.get(run.id));
    for (const run of added) tbody.prepend(renderRow(run));
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

  const selectLoaded = h("input", { type: "checkbox", "aria-label": "Select the runs shown", onchange: () => {
    state.runs.forEach((_, id) => state.select(id, selectLoaded.checked));
    renderRows();
    renderSelection();
  } });
  const selectedCount = h("span", { role: "status" });
  const selectMatching = h("button", { type: "button", className: "link", onclick: async () => {
    const { filter } = runQueryArguments(state.table);
    const runs = await allMatching((after) => request(MatchingRunsDocument,
      { project, modelId: state.table.modelId, filter, first: MATCHING_PAGE, after }, controller.signal).then(({ runs }) => runs));
    for (const run of runs) {
      matching.set(run.id, run.tags);
      state.select(run.id, true);
    }
    renderSelection();
  } });
  const clearSelection = h("button", { type: "button", className: "link", onclick: () => {
    [...state.selected].forEach((id) => state.select(id, false));
    renderRows();
    renderSelection();
  } }, "Clear");
  const tagInput = h("input", { type: "text", placeholder: "tag", "aria-label": "Tag to add to the selected runs" });
  const tagButton = h("button", { type: "button", onclick: async () => {
    const tag = tagInput.value.trim();
    if (!tag) return;
    tagButton.disabled = true;
    try {
      await inBatches([...state.selected], TAGGING_PARALLEL, (runId) => {
        const tags = withTag(state.runs.get(runId)?.tags ?? matching.get(runId) ?? [], tag);
        matching.set(runId, tags);
        return request(UpdateRunDocument, { runId, tags });
      });
      tagInput.value = "";
      state.reload();
    } catch (error) {
      status.replaceChildren(errorState(error));
    } finally {
      tagButton.disabled = false;
    }
  } }, "Add tag");
  const deleteSelected = confirmButton("Delete…", {
    title: () => `Delete ${plural(state.selected.size, "run")}?`,
    text: "The runs and all their points are removed. This cannot be undone.",
    confirm: "Delete runs",
    action: async () => {
      const ids = [...state.selected];
      await request(DeleteRunsDocument, { ids });
      ids.forEach((id) => state.select(id, false));
      state.reload();
    },
  });
  const selection = h("div", { className: "selection-bar", role: "group", "aria-label": "Selected runs", hidden: true },
    selectedCount, selectMatching, clearSelection, h("span", { className: "tag-adder" }, tagInput, tagButton), deleteSelected);

  /** The runs matching the table's other filters per status, each a button that shows only them. */
  const statusCounts = h("div", { className: "status-counts", role: "group", "aria-label": "Runs per status" });
  let countsTimer: ReturnType<typeof setTimeout> | undefined;
  function scheduleCounts(): void {
    countsTimer ??= setTimeout(() => {
      countsTimer = undefined;
      void loadCounts();
    }, COUNTS_EVERY_MS);
  }
  async function loadCounts(): Promise<void> {
    const { filter } = runQueryArguments(state.table);
    try {
      const counts = await request(RunStatusCountsDocument, { project, modelId: state.table.modelId, ...statusCountFilters(filter) }, controller.signal);
      const only = (s: RunStatus) => state.table.statuses.length === 1 && state.table.statuses[0] === s;
      const buttons = RUN_STATUSES.map((s) => h("button", { type: "button", className: "status-count", "aria-pressed": String(only(s)), onclick: () => {
        // as the table is at the click, not as it was when the counts came
        state.setStatuses(only(s) ? [] : [s]);
        RUN_STATUSES.forEach((other, i) => {
          buttons[i].setAttribute("aria-pressed", String(only(other)));
          statusFilters[i].querySelector("input")!.checked = state.table.statuses.includes(other);
        });
      } }, h("b", {}, counts[s].totalCount), ` ${s.toLowerCase()}`));
      statusCounts.replaceChildren(...buttons);
    } catch (error) {
      if (!controller.signal.aborted) statusCounts.replaceChildren(errorState(error));
    }
  }

  const scroller = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && state.hasNextPage && !more.hidden) state.loadMore();
  }, { rootMargin: "600px" });
  scroller.observe(more);

  root.append(
    statusCounts,
    h("div", { className: "table-toolbar" }, search, h("span", { className: "chips", role: "group", "aria-label": "Status" }, ...statusFilters),
      columnsPicker, groupPicker, count, notice, compareLink,
      // The rows loaded (the table's filters and sort are the server's GraphQL ones, which the export has not).
      downloadButton("Download CSV", () => downloadExport(project, "runs", { format: "csv", run: [...state.runs.keys()].join(",") }, `${project}-runs.csv`))),
    selection,
    h("div", { className: "table-scroll" }, h("table", { className: "runs" }, thead, tbody)),
    status, more);
  renderSelection();
  state.reload();
  const removeShortcuts = addShortcuts({ keys: "c", description: "Compare the selected runs", scope: "Runs table",
    action: () => compareLink.hasAttribute("href") && navigate(compareLink.getAttribute("href")!) });
  return () => {
    controller.abort();
    clearTimeout(countsTimer);
    removeShortcuts();
    unsubscribe();
    scroller.disconnect();
    state.dispose();
  };
}
