import { request } from "../api/graphql";
import { MediaAtDocument } from "../gql/graphql";
import { h, plural } from "../ui/dom";
import { latestLoad, panelCard, runSelect, type MediaPanel, type PanelContext } from "./panel";
import { devicePx, sizedUrl } from "./renditions";
import { stepSlider } from "./stepSlider";
import { unionSteps } from "./steps";
import { cellText, filterRows, isImage, joinKeys, joinTables, sortRows, type Cell, type MediaTable } from "./tables";
import { openZoom } from "./zoom";

/** Rows drawn at most; the filter narrows the others down. */
const MAX_ROWS = 500;
/** A cell's image is drawn at most this high. */
const THUMB_PX = 64;

/**
 * Tables: a step slider, a run's table at that step (its latest at or before it) with sort by a column and a filter,
 * images in cells (a click zooms). In a compare view, the table of another run can be joined by a key column both
 * have: the rows of run A and run B with the same key side by side.
 */
export function tablePanel({ name, runs, stepsByRun }: PanelContext): MediaPanel {
  const element = panelCard(name, "TABLE");
  const status = h("div");
  const body = h("div", { className: "table-scroll media-table" });
  const loader = latestLoad(status);
  let runA = runs[0].id;
  let runB = "";
  let key = "";
  let sort: { column: number; descending: boolean } | undefined;
  let tables = new Map<string, { table: MediaTable; step: number }>();
  const filter = h("input", { type: "search", placeholder: "Filter rows", "aria-label": `${name}: filter rows`, oninput: () => draw() });
  const keySelect = h("select", { "aria-label": "Join by", onchange: () => {
    key = keySelect.value;
    sort = undefined;
    draw();
  } });
  /** Another run as A or B: other tables, whose columns may differ, so unsorted. */
  const choose = (change: () => void) => {
    change();
    sort = undefined;
    refresh();
  };
  const joinControls = runs.length > 1
    ? [runSelect("Join with", runs, undefined, (id) => choose(() => (runB = id)), "Join with…"), h("label", {}, "by ", keySelect)]
    : [];

  const show = (step: number) => loader.load(async (signal) => {
    const runIds = [runA, runB].filter(Boolean);
    const { mediaAt } = await request(MediaAtDocument, { runIds, name, step, exact: false, first: 1 }, signal);
    tables = new Map(mediaAt.flatMap((item) => (item.table ? [[item.runId, { table: item.table as MediaTable, step: item.step }]] : [])));
    draw();
    element.dataset.shownStep = String(step);
  });
  const refresh = () => {
    const step = slider.step();
    if (step !== undefined) void show(step);
  };
  const runName = (id: string) => runs.find((run) => run.id === id)?.name ?? id;

  /** The table shown: run A's, or A's and B's joined by the key. */
  function shown(): { table: MediaTable; note: string } | undefined {
    const a = tables.get(runA);
    const b = runB ? tables.get(runB) : undefined;
    if (!a) return undefined;
    const keys = b ? joinKeys(a.table, b.table) : [];
    keySelect.replaceChildren(...keys.map((k) => h("option", { value: k, selected: k === key }, k)));
    keySelect.disabled = !keys.length;
    if (!b || !keys.length) return { table: a.table, note: `${runName(runA)} · step ${a.step}${runB && !b ? ` (${runName(runB)} has no table)` : ""}` };
    if (!keys.includes(key)) key = keys[0];
    return { table: joinTables(a.table, b.table, key, [runName(runA), runName(runB)]), note: `${runName(runA)} · step ${a.step} joined with ${runName(runB)} · step ${b.step} by ${key}` };
  }

  function draw(): void {
    const current = shown();
    if (!current) return void body.replaceChildren(h("p", { className: "state" }, "No table at this step."));
    const { table, note } = current;
    const sorted = sort ? sortRows(table, sort.column, sort.descending) : table.rows;
    const rows = filterRows(table, sorted, filter.value);
    const header = table.columns.map((column, i) => {
      const order = sort?.column === i ? (sort.descending ? "descending" : "ascending") : "none";
      return h("th", { scope: "col", "aria-sort": order },
        column.type === "IMAGE" ? column.name : h("button", { type: "button", className: "sort", onclick: () => {
          sort = { column: i, descending: sort?.column === i && !sort.descending };
          draw();
        } }, column.name, order === "none" ? "" : h("span", { "aria-hidden": "true" }, order === "ascending" ? " ▲" : " ▼")));
    });
    body.replaceChildren(
      h("p", { className: "muted media-table-note" }, note, ` · ${plural(rows.length, "row")}${rows.length > MAX_ROWS ? `, the first ${MAX_ROWS} shown` : ""}`),
      h("table", { className: "runs" }, h("thead", {}, h("tr", {}, ...header)),
        h("tbody", {}, ...rows.slice(0, MAX_ROWS).map((row) => h("tr", {}, ...row.map((cell, i) => cellElement(cell, table.columns[i])))))));
  }

  const slider = stepSlider(name, unionSteps([...stepsByRun.values()]), show);
  element.append(h("div", { className: "toolbar" },
    runs.length > 1 ? runSelect("Run", runs, runA, (id) => choose(() => (runA = id))) : "", ...joinControls, filter),
  slider.element, status, body);
  return {
    element,
    logged: (_runId, step) => slider.added(step),
    dispose: () => {
      slider.dispose();
      loader.dispose();
    },
  };
}

function cellElement(cell: Cell, column: MediaTable["columns"][number]): HTMLElement {
  if (cell === null) return h("td", { className: "muted" }, "–");
  if (isImage(cell)) {
    const scale = Math.min(1, THUMB_PX / cell.height);
    return h("td", {}, h("button", { type: "button", className: "media-thumb", title: "Zoom", onclick: () => openZoom({ ...cell, title: column.name }) },
      h("img", { src: sizedUrl(cell.url, cell.width, devicePx(cell.width * scale)), width: Math.round(cell.width * scale), height: Math.round(cell.height * scale), alt: column.name, loading: "lazy" })));
  }
  return h("td", { className: column.type === "NUMBER" ? "num" : "" }, column.type === "NUMBER" ? cellText(cell, "NUMBER") : String(cell));
}

