import type { ChartSettings, XAxisMode } from "../app/viewState";
import { downloadButton, downloadExport, saveUrl } from "../export/download";
import { h } from "../ui/dom";
import { formatFor } from "./units";
import { chartSettingsOf, withOverride, type ChartOverrides } from "./chartOverrides";
import { chartSettingsForm } from "./chartSettingsForm";
import type { Drawable } from "./drawScheduler";
import { createChart } from "./echarts";
import { renderLegend, showHidden, type LegendEntry } from "./legend";
import { chartOption, lineDash, lineName, linesSeries, shapeLine, tooltipAt, type DrawnLine, type LineShape, type RunInfo } from "./lineChart";
import type { MetricLines, ZoomWindow } from "./metricData";
import { xMetricOf } from "./panels";
import type { SeriesBuffer } from "./seriesBuffer";

/** What the cards of a panel share. */
export interface CardContext {
  runById: Map<string, RunInfo>;
  /** The page's settings (the toolbar's); a chart's own override them (see chartOverrides.ts). */
  settings: () => ChartSettings;
  /** A chart's own settings, and their change (kept in the URL). */
  overrides: (metric: string) => ChartOverrides;
  setOverrides: (metric: string, overrides: ChartOverrides) => void;
  /** The metrics a chart may have as its x axis. */
  xMetrics: () => string[];
  /** Lines without times (the compare view's groups) are drawn over steps only. */
  stepsOnly: boolean;
  /** The lines of a run's splits differ by their dash: the split's index picks it, the same in every chart. */
  splitIndex: (split: string | null) => number;
  /** Whether the min/max tables start open. */
  statsOpen: boolean;
  /** Runs hidden from every chart (the compare view's run list): left out of the lines, the legend and the tooltip. */
  hiddenRuns: Set<string>;
  /** On an x axis of metric `xMetric`, a run's values of it by step for a line of `split` (see xValuesOf). */
  xValues: (xMetric: string, runId: string, split: string | null) => Map<number, number> | undefined;
}

/** A metric's card: its chart, the legend above it and the min/max table under it. Drawn in rounds (see Drawable). */
export interface ChartCard extends Drawable {
  element: HTMLElement;
  /** Whether any of the card is in the viewport: charts out of view are not drawn live. */
  inView: boolean;
  /** Draws it all again: when data was (re)loaded, a line was added, or the settings changed. */
  redraw(): void;
  /** Draws the lines and the legend again after runs were hidden or shown. */
  runsChanged(): void;
  /** The settings it is drawn with: the page's and its own. */
  settings(): ChartSettings;
  dispose(): void;
}

/** Zooms come in many events while a wheel turns or a slider is dragged: the window is read once they stop. */
const ZOOM_DEBOUNCE_MS = 350;

/** A card for `lines`, placed in `grid` in the order of metric names. */
export function chartCard(grid: HTMLElement, name: string, lines: MetricLines, context: CardContext, onZoom: (window: ZoomWindow, x: XAxisMode) => void): ChartCard {
  const own = () => context.overrides(name);
  const setOwn = (change: ChartOverrides) => context.setOverrides(name, withOverride(own(), change));
  const settings = () => chartSettingsOf(context.settings(), own(), context.stepsOnly);
  const canvas = h("div", { className: "chart", role: "img", "aria-label": `Chart of ${name}`, "aria-busy": "true" });
  const stats = h("tbody");
  const legend = h("div", { className: "legend", role: "toolbar", "aria-label": `Lines of ${name}` });
  const format = formatFor(name);
  const csv = downloadButton("Download CSV", () => downloadPoints(name, lines, context));
  // ECharts' own picture of the chart, at twice its size, on the card's background (the canvas is transparent)
  const png = downloadButton("Download PNG", async () =>
    saveUrl(chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: getComputedStyle(element).backgroundColor }), `${fileNameOf(name)}.png`));
  const fullScreen = h("button", { type: "button", className: "download", "aria-pressed": "false", onclick: () => setFullScreen(!element.classList.contains("full-screen")) }, "Full screen");
  const ownSettings = chartSettingsForm(name, context, own, (change) => {
    // another x axis: the zoom window's values are of the old one
    setOwn("x" in change ? { ...change, zoom: undefined } : change);
    redraw();
  });
  const element = h("section", { className: "chart-card", "data-metric": name },
    h("header", { className: "chart-head" }, h("h3", {}, name), h("span", { className: "chart-actions" }, ownSettings, " ", csv, " ", png, " ", fullScreen)), legend, canvas,
    h("details", { open: context.statsOpen }, h("summary", {}, "Min / max per line"), h("table", { className: "stats" },
      h("thead", {}, h("tr", {}, h("th", {}, "Line"), h("th", {}, "Last"), h("th", {}, "Min @ step"), h("th", {}, "Max @ step"))),
      stats)));
  grid.querySelector(":scope > .state")?.remove();
  const next = [...grid.querySelectorAll<HTMLElement>(":scope > .chart-card")].find((card) => card.dataset.metric! > name);
  grid.insertBefore(element, next ?? null);
  if (own().height) canvas.style.height = `${own().height}px`;
  // pulled by its corner (CSS resize sets the inline height): kept; not the full screen's height
  const { chart, dispose } = createChart(canvas, "canvas", () => {
    const height = parseInt(canvas.style.height);
    if (height > 0 && height !== own().height && !element.classList.contains("full-screen")) setOwn({ height });
  });
  /** Each line as last shaped: all of them are drawn again when some change (one series draws them all). */
  const drawn = new Map<string, DrawnLine & LegendEntry & { runId: string }>();
  /** Lines hidden in the legend, by name. */
  const hidden = new Set<string>(own().hidden);
  /** Whether it was drawn: a zoom window kept in the URL is fetched in detail after the first draw. */
  let drawnOnce = false;
  /** The line highlighted from the legend, by name. */
  let focus: string | undefined;
  /** Where the axis pointer is on the x axis, for the tooltip. */
  let pointerX: number | undefined;
  /** The min/max table's cells, one row per line, updated in place. */
  const statRows = new Map<string, HTMLTableCellElement[]>();
  let zoomTimer: ReturnType<typeof setTimeout> | undefined;

  /** The card over the whole window (its chart resizes with it), until the button again or Esc. */
  function setFullScreen(on: boolean): void {
    element.classList.toggle("full-screen", on);
    fullScreen.setAttribute("aria-pressed", String(on));
    if (on) document.addEventListener("keydown", leaveOnEscape);
    else document.removeEventListener("keydown", leaveOnEscape);
  }
  function leaveOnEscape(event: KeyboardEvent): void {
    if (event.key === "Escape") setFullScreen(false);
  }

  chart.on("datazoom", () => {
    clearTimeout(zoomTimer);
    zoomTimer = setTimeout(() => {
      const window = (chart.getOption().dataZoom as ZoomWindow[])[0];
      setOwn({ zoom: window.start <= 0 && window.end >= 100 ? undefined : [window.startValue, window.endValue] });
      onZoom(window, settings().x);
    }, ZOOM_DEBOUNCE_MS);
  });
  chart.on("updateAxisPointer", (event) => {
    const { axesInfo } = event as { axesInfo: { axisDim: string; value: number }[] };
    pointerX = axesInfo.find(({ axisDim }) => axisDim === "x")?.value;
  });

  /** Shapes the given lines again (and their stats rows), with the name, colour and dash they are shown with. */
  function reshape(keys: Iterable<string>): void {
    const drawnWith = settings();
    const xMetric = xMetricOf(drawnWith.x);
    for (const key of keys) {
      const buffer = lines.buffers.get(key)!;
      const run = context.runById.get(buffer.runId)!;
      const shape = shapeLine(buffer, run, drawnWith, xMetric ? context.xValues(xMetric, run.id, buffer.split) : undefined);
      drawn.set(key, { runId: run.id, name: lineName(run, buffer.split), run: run.name, split: buffer.split, color: run.color, dash: lineDash(context.splitIndex(buffer.split)), shape });
      renderStats(key, buffer, run, shape);
    }
  }

  /** Updates a line's row of the min/max table (added on its first draw) in place. */
  function renderStats(key: string, buffer: SeriesBuffer, run: RunInfo, { min, max }: LineShape): void {
    let cells = statRows.get(key);
    if (!cells) {
      cells = [h("td", {}), h("td", {}), h("td", {})];
      stats.append(h("tr", {}, h("td", {}, h("span", { className: "swatch", style: `background:${run.color}` }), lineName(run, buffer.split)), ...cells));
      statRows.set(key, cells);
    }
    const last = buffer.points[buffer.points.length - 1];
    cells[0].textContent = format(last?.value);
    cells[1].textContent = min ? `${format(min.value)} @ ${min.step}` : "–";
    cells[2].textContent = max ? `${format(max.value)} @ ${max.step}` : "–";
  }

  const ofShownRuns = () => [...drawn.values()].filter(({ runId }) => !context.hiddenRuns.has(runId));
  const shownLines = () => ofShownRuns().filter(({ name }) => !hidden.has(name));
  // a hidden line is never highlighted: the others would fade around nothing
  const series = () => linesSeries(shownLines(), settings().log, focus !== undefined && hidden.has(focus) ? undefined : focus);
  /** Draws the lines again as last shaped: after a reshape, or when lines were hidden or highlighted. */
  const drawLines = () => chart.setOption({ series: [series()] });

  function redraw(): void {
    reshape(lines.buffers.keys());
    chart.setOption(chartOption(series(), settings(), () => tooltipAt(shownLines(), pointerX, format), format, own()),
      { replaceMerge: ["series"] });
    legendRow();
    ownSettings.classList.toggle("set", Object.keys(own()).some((key) => key !== "hidden" && key !== "height" && key !== "zoom"));
    canvas.removeAttribute("aria-busy");
    lines.changed.clear();
    if (!drawnOnce && own().zoom && lines.buffers.size) onZoom((chart.getOption().dataZoom as ZoomWindow[])[0], settings().x);
    drawnOnce ||= lines.buffers.size > 0;
  }

  /** The legend of the lines of the runs shown. */
  function legendRow(): void {
    renderLegend(legend, ofShownRuns(), hidden, {
      toggle: (line) => {
        if (!hidden.delete(line)) hidden.add(line);
        setOwn({ hidden: hidden.size ? [...hidden] : undefined });
        showHidden(legend, hidden);
        drawLines();
      },
      // focus comes back after the legend is rebuilt and after the pointer leaves: often the same line
      focus: (line) => {
        if (line === focus) return;
        focus = line;
        drawLines();
      },
    });
  }

  const card: ChartCard = {
    element,
    inView: true,
    due: () => card.inView && lines.changed.size > 0,
    draw: () => {
      if (!lines.changed.size) return;
      reshape(lines.changed);
      drawLines();
      lines.changed.clear();
    },
    redraw,
    settings,
    runsChanged: () => {
      if (!drawn.size) return; // not drawn yet: its first draw shows the runs as they are then
      legendRow();
      drawLines();
    },
    dispose: () => {
      clearTimeout(zoomTimer);
      document.removeEventListener("keydown", leaveOnEscape);
      dispose();
    },
  };
  return card;
}

/**
 * Every stored point of the chart's series (its metric, in each of its runs), not the downsampled lines it draws: one
 * CSV per project of its runs (a comparison may span projects).
 */
async function downloadPoints(name: string, lines: MetricLines, context: CardContext): Promise<void> {
  const byProject = new Map<string, Set<string>>();
  for (const { runId } of lines.buffers.values()) {
    const project = context.runById.get(runId)?.project;
    if (project) byProject.set(project, (byProject.get(project) ?? new Set()).add(runId));
  }
  for (const [project, runs] of byProject) {
    await downloadExport(project, "points", { format: "csv", name, run: [...runs].join(",") },
      `${project}-${fileNameOf(name)}.csv`);
  }
}

/** A metric's name as part of a file's name. */
const fileNameOf = (name: string) => name.replaceAll("/", "_");
