import { request } from "../api/graphql";
import type { ChartSettings, XAxisMode } from "../app/viewState";
import { MetricPointsDocument, SeriesDocument, type MetricPointsSubscription } from "../gql/graphql";
import { onReconnect, subscribe } from "../live/client";
import { errorState, formatNumber, h, loading } from "../ui/dom";
import { createChart, type echarts } from "./echarts";
import { renderLegend, showHidden } from "./legend";
import { chartOption, lineDash, lineName, linesSeries, shapeLine, tooltipAt, type DrawnLine, type LineShape, type RunInfo } from "./lineChart";
import { appendLive, bufferFromSeries, refetched, seriesKey, spliceRange, toPoints, type SeriesBuffer } from "./seriesBuffer";

/** One chart per metric name, with its buffers and the keys changed since the last draw. */
interface MetricChart {
  name: string;
  chart: echarts.ECharts;
  dispose: () => void;
  legend: HTMLElement;
  buffers: Map<string, SeriesBuffer>;
  /** Each line as last shaped: all of them are drawn again when some change (one series draws them all). */
  lines: Map<string, DrawnLine>;
  /** Lines hidden in the legend, by name. */
  hidden: Set<string>;
  /** The line highlighted from the legend, by name. */
  focus?: string;
  /** Where the axis pointer is on the x axis, for the tooltip. */
  pointerX?: number;
  dirty: Set<string>;
  /** Whether any of the chart's card is in the viewport: charts out of view are not drawn live. */
  inView: boolean;
  /** The min/max table, one row per line, updated in place. */
  stats: HTMLTableSectionElement;
  statRows: Map<string, HTMLTableCellElement[]>;
  zoomTimer?: ReturnType<typeof setTimeout>;
}

type Batch = MetricPointsSubscription["metricPoints"];

/** Live draws are coalesced: a chart is redrawn about this often at most, whatever the rate of points. */
const DRAW_INTERVAL_MS = 500;
/** Batches less than this apart are one burst (many runs logging at once reach us together): drawn after its end. */
const BURST_GAP_MS = 50;
const ZOOM_DEBOUNCE_MS = 350;
/** Batches with `gap` for several runs usually come together (one slow socket): their runs are refetched at once. */
const GAP_REFETCH_DELAY_MS = 100;

/**
 * The charts of some runs: fetched with `series` at about one point per pixel, kept live from
 * `metricPoints`, re-queried in detail on zoom. `metricNames` (from the runs' summaries) are the charts
 * known up front; others appear when their first live point arrives. Answers a function that tears it all down.
 */
export function mountMetricPanel(
  root: HTMLElement,
  runs: RunInfo[],
  metricNames: string[],
  initialSettings: ChartSettings,
  onSettingsChange: (settings: ChartSettings) => void,
): () => void {
  let settings = initialSettings;
  const runById = new Map(runs.map((r) => [r.id, r]));
  const runIds = runs.map((r) => r.id);
  const charts = new Map<string, MetricChart>();
  const grid = h("div", { className: "chart-grid" });
  root.append(toolbar(), grid);
  // Live draws of charts scrolled out of view would only cost time (a run view may have dozens of metrics): they
  // catch up when they come back into view.
  const cardCharts = new Map<Element, MetricChart>();
  const viewport = new IntersectionObserver((entries) => {
    for (const { target, isIntersecting } of entries) cardCharts.get(target)!.inView = isIntersecting;
    if (anyDue()) scheduleDraw();
  });
  // the known charts are laid out before any data arrives, so that drawing them never moves the page
  if (metricNames.length) metricNames.forEach(chartFor);
  else grid.append(loading("Loading metrics…"));
  // about one point per pixel of a chart; wide screens show two charts per row (see .chart-grid)
  const twoColumns = matchMedia("(min-width: 1150px)").matches;
  const maxPoints = Math.min(2000, Math.max(200, Math.round(grid.clientWidth / (twoColumns ? 2 : 1))));
  const splitOrder: (string | null)[] = [];
  let pending: Batch[] | null = [];
  /** The next round of live draws, or the next chart's turn in this round. */
  let drawTimer: ReturnType<typeof setTimeout> | undefined;
  let drawFrame: number | undefined;
  /** The charts of the round under way, the one being drawn first; empty between rounds. */
  let drawQueue: MetricChart[] = [];
  let lastRoundAt = -Infinity;
  /** When the first change the next round will draw came. */
  let firstChangeAt: number | undefined;
  const gapRuns = new Set<string>();
  let gapTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  function toolbar(): HTMLElement {
    const update = (change: Partial<ChartSettings>) => {
      settings = { ...settings, ...change };
      onSettingsChange(settings);
      for (const chart of charts.values()) redraw(chart);
    };
    const modes: [XAxisMode, string][] = [["step", "Step"], ["relative", "Relative time"], ["wall", "Wall time"]];
    const select = h("select", { onchange: () => update({ x: select.value as XAxisMode }) },
      ...modes.map(([value, label]) => h("option", { value, selected: value === settings.x }, label)));
    const output = h("output", {}, settings.smoothing.toFixed(2));
    const slider = h("input", {
      type: "range", min: 0, max: 0.99, step: 0.01, value: settings.smoothing,
      // redrawing many charts on every pixel of a drag would stutter: the label follows, the charts on release
      oninput: () => (output.textContent = Number(slider.value).toFixed(2)),
      onchange: () => update({ smoothing: Number(slider.value) }),
    });
    const log = h("input", { type: "checkbox", checked: settings.log, onchange: () => update({ log: log.checked }) });
    return h("div", { className: "toolbar", role: "group", "aria-label": "Chart settings" },
      h("label", {}, "X axis ", select),
      h("label", {}, "Smoothing ", slider, " ", output),
      h("label", {}, log, " Log scale"));
  }

  function splitIndex(split: string | null): number {
    if (!splitOrder.includes(split)) splitOrder.push(split);
    return splitOrder.indexOf(split);
  }

  /** Shapes the given lines of a chart again (and their stats rows), with the name, colour and dash they are shown with. */
  function reshape(chart: MetricChart, keys: Iterable<string>): void {
    for (const key of keys) {
      const buffer = chart.buffers.get(key)!;
      const run = runById.get(buffer.runId)!;
      const shape = shapeLine(buffer, run, settings);
      chart.lines.set(key, { name: lineName(run, buffer.split), color: run.color, dash: lineDash(splitIndex(buffer.split)), shape });
      renderStats(chart, key, buffer, run, shape);
    }
  }

  const shownLines = (chart: MetricChart) => [...chart.lines.values()].filter(({ name }) => !chart.hidden.has(name));
  const seriesOf = (chart: MetricChart) => linesSeries(shownLines(chart), settings.log, chart.focus);
  /** Draws a chart's lines again as last shaped: after a reshape, or when lines were hidden or highlighted. */
  const drawLines = (chart: MetricChart) => chart.chart.setOption({ series: [seriesOf(chart)] });

  /** Full option: when data was (re)loaded, a line was added, or the settings changed. */
  function redraw(chart: MetricChart): void {
    reshape(chart, chart.buffers.keys());
    chart.chart.setOption(chartOption(seriesOf(chart), settings, () => tooltipAt(shownLines(chart), chart.pointerX)), { replaceMerge: ["series"] });
    renderLegend(chart.legend, [...chart.lines.values()], chart.hidden, {
      toggle: (name) => {
        if (!chart.hidden.delete(name)) chart.hidden.add(name);
        showHidden(chart.legend, chart.hidden);
        drawLines(chart);
      },
      // focus comes back after the legend is rebuilt and after the pointer leaves: often the same line
      focus: (name) => {
        if (name === chart.focus) return;
        chart.focus = name;
        drawLines(chart);
      },
    });
    chart.chart.getDom().removeAttribute("aria-busy");
    chart.dirty.clear();
  }

  /**
   * Live or zoom update: only the changed series are replaced, by id; nothing is redrawn from scratch. Draws go in
   * rounds. A round starts once batches have stopped coming for BURST_GAP_MS: a burst is drawn once, after its
   * messages are handled and while the sender (on a small machine, often the server next to us) rests. A steady
   * stream does not hold a round back more than DRAW_INTERVAL_MS, and a round starts no sooner than that after the
   * previous one. In a round the changed charts are drawn one per task, and outside the browser's frames: ECharts
   * updates and paints a chart's canvas here, and the next frame only rasterizes it (in a frame, as with
   * lazyUpdate, one task held both). The next chart's turn comes after that frame; what changes meanwhile waits
   * for the next round.
   */
  function scheduleDraw(): void {
    if (drawQueue.length) return; // the round under way schedules the next when it ends
    const now = performance.now();
    firstChangeAt ??= now;
    const at = Math.max(lastRoundAt + DRAW_INTERVAL_MS, Math.min(now + BURST_GAP_MS, firstChangeAt + DRAW_INTERVAL_MS));
    clearTimeout(drawTimer);
    drawTimer = setTimeout(startRound, at - now);
  }

  const due = (chart: MetricChart) => chart.inView && chart.dirty.size > 0;
  const anyDue = () => [...charts.values()].some(due);

  function startRound(): void {
    lastRoundAt = performance.now();
    firstChangeAt = undefined;
    drawQueue = [...charts.values()].filter(due);
    if (drawQueue.length) drawNext();
  }

  function drawNext(): void {
    const chart = drawQueue[0];
    if (chart.dirty.size) {
      reshape(chart, chart.dirty);
      drawLines(chart);
      chart.dirty.clear();
    }
    drawQueue.shift();
    if (drawQueue.length) {
      drawFrame = requestAnimationFrame(() => {
        drawFrame = undefined;
        drawTimer = setTimeout(drawNext);
      });
    } else if (anyDue()) {
      scheduleDraw();
    }
  }

  /** Updates a line's row of the min/max table (added on its first draw) in place. */
  function renderStats(chart: MetricChart, key: string, buffer: SeriesBuffer, run: RunInfo, { min, max }: LineShape): void {
    let cells = chart.statRows.get(key);
    if (!cells) {
      cells = [h("td", {}), h("td", {}), h("td", {})];
      chart.stats.append(h("tr", {}, h("td", {}, h("span", { className: "swatch", style: `background:${run.color}` }), lineName(run, buffer.split)), ...cells));
      chart.statRows.set(key, cells);
    }
    const last = buffer.points[buffer.points.length - 1];
    cells[0].textContent = formatNumber(last?.value);
    cells[1].textContent = min ? `${formatNumber(min.value)} @ ${min.step}` : "–";
    cells[2].textContent = max ? `${formatNumber(max.value)} @ ${max.step}` : "–";
  }

  function chartFor(name: string): MetricChart {
    let chart = charts.get(name);
    if (chart) return chart;
    const canvas = h("div", { className: "chart", role: "img", "aria-label": `Chart of ${name}`, "aria-busy": "true" });
    const stats = h("tbody");
    const legend = h("div", { className: "legend", role: "toolbar", "aria-label": `Lines of ${name}` });
    const card = h("section", { className: "chart-card", "data-metric": name }, h("h3", {}, name), legend, canvas,
      h("details", { open: runs.length <= 4 }, h("summary", {}, "Min / max per line"), h("table", { className: "stats" },
        h("thead", {}, h("tr", {}, h("th", {}, "Line"), h("th", {}, "Last"), h("th", {}, "Min @ step"), h("th", {}, "Max @ step"))),
        stats)));
    const names = [...charts.keys(), name].sort();
    grid.querySelector(":scope > .state")?.remove();
    grid.insertBefore(card, grid.children[names.indexOf(name)] ?? null);
    const { chart: echart, dispose } = createChart(canvas);
    chart = { name, chart: echart, dispose, legend, buffers: new Map(), lines: new Map(), hidden: new Set(), dirty: new Set(), inView: true, stats, statRows: new Map() };
    cardCharts.set(card, chart);
    viewport.observe(card);
    const created = chart;
    echart.on("datazoom", () => {
      clearTimeout(created.zoomTimer);
      created.zoomTimer = setTimeout(() => zoomIn(created), ZOOM_DEBOUNCE_MS);
    });
    echart.on("updateAxisPointer", (event) => {
      const { axesInfo } = event as { axesInfo: { axisDim: string; value: number }[] };
      created.pointerX = axesInfo.find(({ axisDim }) => axisDim === "x")?.value;
    });
    charts.set(name, chart);
    return chart;
  }

  /** The step range shown by a chart's zoom window, or undefined when it shows everything. */
  function zoomedSteps(chart: MetricChart): [number, number] | undefined {
    const zoom = (chart.chart.getOption().dataZoom as { start: number; end: number; startValue: number; endValue: number }[])[0];
    if (zoom.start <= 0 && zoom.end >= 100) return undefined;
    if (settings.x === "step") return [Math.floor(zoom.startValue), Math.ceil(zoom.endValue)];
    const steps = [...chart.buffers.values()].flatMap((buffer) => {
      const run = runById.get(buffer.runId)!;
      const x = (time: number) => (settings.x === "wall" ? time : (time - run.start) / 1000);
      return buffer.points.filter((p) => x(p.time) >= zoom.startValue && x(p.time) <= zoom.endValue).map((p) => p.step);
    });
    return steps.length ? [Math.min(...steps), Math.max(...steps)] : undefined;
  }

  async function zoomIn(chart: MetricChart): Promise<void> {
    const range = zoomedSteps(chart);
    if (!range) return;
    const [fromStep, toStep] = range;
    const { series } = await request(SeriesDocument, { runIds, names: [chart.name], maxPoints, fromStep, toStep });
    if (disposed) return;
    for (const s of series) {
      const key = seriesKey(s.runId, s.name, s.split ?? null);
      const buffer = chart.buffers.get(key);
      if (!buffer) continue;
      spliceRange(buffer, toPoints(s), fromStep, toStep);
      chart.dirty.add(key);
    }
    scheduleDraw();
  }

  /**
   * (Re)loads whole series; at start, after a `gap`, and after the socket reconnected. One query per metric
   * name, in parallel, so each chart is drawn as soon as its own data is there, in its own task. Live points
   * newer than an answer are kept.
   */
  async function load(ids: string[]): Promise<void> {
    const queries = metricNames.length ? metricNames.map((name) => [name]) : [undefined];
    await Promise.all(queries.map(async (names) => {
      const { series } = await request(SeriesDocument, { runIds: ids, names, maxPoints });
      if (disposed) return;
      const touched = new Set<MetricChart>();
      for (const s of series) {
        const chart = chartFor(s.name);
        const key = seriesKey(s.runId, s.name, s.split ?? null);
        chart.buffers.set(key, refetched(bufferFromSeries(s, maxPoints), chart.buffers.get(key)));
        touched.add(chart);
      }
      touched.forEach(redraw);
    }));
    if (!charts.size) grid.replaceChildren(h("p", { className: "state" }, "No metrics logged yet. Charts appear as soon as points arrive."));
  }

  /** Some of the run's points were dropped for us: its series are fetched again. */
  function refetchSoon(runId: string): void {
    gapRuns.add(runId);
    gapTimer ??= setTimeout(() => {
      gapTimer = undefined;
      const ids = [...gapRuns];
      gapRuns.clear();
      load(ids).catch(showError);
    }, GAP_REFETCH_DELAY_MS);
  }

  function applyBatch(batch: Batch): void {
    if (batch.gap) refetchSoon(batch.runId); // and its own points are still added below
    for (const { name, split, ...columns } of batch.series) {
      const chart = chartFor(name);
      const key = seriesKey(batch.runId, name, split ?? null);
      let buffer = chart.buffers.get(key);
      if (!buffer) {
        buffer = { runId: batch.runId, name, split: split ?? null, points: [], bucketWidth: 0, maxPoints };
        chart.buffers.set(key, buffer);
        chart.dirty.add(key);
        redraw(chart); // a new line needs its legend entry
      }
      appendLive(buffer, toPoints(columns));
      chart.dirty.add(key);
    }
    scheduleDraw();
  }

  function showError(error: unknown): void {
    if (!disposed) grid.replaceChildren(errorState(error, () => load(runIds).catch(showError)));
  }

  // Subscribe before loading so nothing logged in between is missed; batches wait until the load is done.
  const unsubscribe = subscribe(MetricPointsDocument, { runIds }, ({ metricPoints }) => {
    if (pending) pending.push(metricPoints);
    else applyBatch(metricPoints);
  });
  const stopReconnect = onReconnect(() => load(runIds).catch(showError));
  load(runIds)
    .then(() => {
      performance.mark("trackstack:charts-drawn"); // read by the performance test
      pending?.forEach(applyBatch);
      pending = null;
    })
    .catch(showError);

  return () => {
    disposed = true;
    unsubscribe();
    stopReconnect();
    clearTimeout(drawTimer);
    if (drawFrame !== undefined) cancelAnimationFrame(drawFrame);
    clearTimeout(gapTimer);
    viewport.disconnect();
    for (const chart of charts.values()) {
      clearTimeout(chart.zoomTimer);
      chart.dispose();
    }
  };
}
