import { request } from "../api/graphql";
import { createChart, type CustomSeriesRenderItemReturn, type HistogramChartOption } from "../charts/echarts";
import { HistogramsDocument } from "../gql/graphql";
import { formatNumber, h } from "../ui/dom";
import { heatmapPixels, histogramMatrix, ridgelines, type HistogramAtStep } from "./histogramData";
import { latestLoad, panelCard, runSelect, type MediaPanel, type PanelContext } from "./panel";

/** Steps asked for at most (the server picks them evenly, first and last kept). */
const MAX_STEPS = 1000;
const BINS = 64;
/** Curves of a ridgeline at most: more would only overlap. */
const RIDGES = 24;
/** A ridge rises this many rows above its baseline at the highest count, overlapping the ones behind it. */
const RIDGE_HEIGHT = 2.5;
/** Live steps are fetched again at most this often. */
const LIVE_REFRESH_MS = 2_000;

type Mode = "heatmap" | "ridgeline";

/**
 * Histograms over steps of one run (a run selector in a compare view): a heatmap of steps × bins (each step's counts
 * spread over common bins; the cell under the pointer read out below), or a ridgeline of evenly chosen steps, the
 * newest in front. Live steps fetch it again.
 */
export function histogramPanel({ name, runs }: PanelContext): MediaPanel {
  const element = panelCard(name, "HISTOGRAM");
  const status = h("div");
  const container = h("div", { className: "chart media-histogram", "aria-busy": "true" });
  const loader = latestLoad(status);
  let runId = runs[0].id;
  let mode: Mode = "heatmap";
  let series: HistogramAtStep[] = [];
  let refresh: ReturnType<typeof setTimeout> | undefined;
  let cellAt: ((x: number, y: number) => string) | undefined;
  const readout = h("output", { className: "media-readout muted" });
  const { chart, dispose } = createChart(container);
  const modeSelect = h("select", { "aria-label": `${name}: view`, onchange: () => {
    mode = modeSelect.value as Mode;
    draw();
  } }, h("option", { value: "heatmap" }, "Heatmap"), h("option", { value: "ridgeline" }, "Ridgeline"));

  const load = () => loader.load(async (signal) => {
    const { histograms } = await request(HistogramsDocument, { runId, name, maxSteps: MAX_STEPS }, signal);
    performance.mark("trackstack:histogram-loaded"); // read by the performance test, with trackstack:histogram-drawn
    series = histograms;
    draw();
  });

  function draw(): void {
    chart.off("finished");
    chart.on("finished", () => {
      chart.off("finished");
      container.removeAttribute("aria-busy");
      element.dataset.drawn = `${mode} ${series.length}`;
      performance.mark("trackstack:histogram-drawn");
    });
    const heatmap = mode === "heatmap" ? heatmapOption(series) : undefined;
    cellAt = heatmap?.cellAt;
    readout.textContent = "";
    chart.setOption(heatmap?.option ?? ridgelineOption(series), { notMerge: true });
  }
  // the heatmap's cell under the pointer, read out under the chart (its one image has no items to hover)
  chart.getZr().on("mousemove", (event) => {
    if (!cellAt) return;
    const [x, y] = chart.convertFromPixel({ gridIndex: 0 }, [event.offsetX, event.offsetY]) as number[];
    readout.textContent = cellAt(Math.round(x), Math.round(y));
  });

  element.append(h("div", { className: "toolbar" }, runs.length > 1 ? runSelect("Histogram run", runs, runId, (id) => {
    runId = id;
    void load();
  }) : "", modeSelect), status, container, readout);
  void load();
  return {
    element,
    logged: (loggedRun) => {
      if (loggedRun !== runId || refresh) return;
      refresh = setTimeout(() => {
        refresh = undefined;
        void load();
      }, LIVE_REFRESH_MS);
    },
    dispose: () => {
      clearTimeout(refresh);
      loader.dispose();
      dispose();
    },
  };
}

const GRID = { left: 64, right: 16, top: 12, bottom: 56 };

/** The heatmap is drawn at about this many pixels each way, whole pixels per cell, then scaled to the grid. */
const HEATMAP_PX = [1600, 400];

/**
 * One image of the whole matrix over the grid (the category axes' bands line up with its cells): ECharts' heatmap
 * series keeps an element per cell, 64,000 of them for 1,000 steps × 64 bins, which took over a second to draw.
 */
function heatmapOption(series: HistogramAtStep[]): { option: HistogramChartOption; cellAt: (x: number, y: number) => string } {
  const matrix = histogramMatrix(series, BINS);
  const { steps, edges, values } = matrix;
  const bins = edges.slice(0, -1).map((edge, i) => `${formatNumber(edge)} – ${formatNumber(edges[i + 1])}`);
  const { width, height, pixels } = heatmapPixels(matrix, Math.max(1, Math.ceil(HEATMAP_PX[0] / steps.length)), Math.max(1, Math.ceil(HEATMAP_PX[1] / bins.length)));
  const image = h("canvas", { width, height });
  if (width && height) image.getContext("2d")!.putImageData(new ImageData(new Uint8ClampedArray(pixels.buffer), width, height), 0, 0);
  return {
    option: {
      animation: false,
      grid: GRID,
      xAxis: { type: "category", name: "step", nameLocation: "middle", nameGap: 28, data: steps.map(String) },
      yAxis: { type: "category", data: bins, axisLabel: { interval: Math.ceil(bins.length / 8) - 1, formatter: (label: string) => label.split(" – ")[0] } },
      series: [{
        type: "custom",
        data: [[0]],
        silent: true,
        renderItem: (params): CustomSeriesRenderItemReturn => {
          const { x, y, width: w, height: ht } = params.coordSys as unknown as { x: number; y: number; width: number; height: number };
          return { type: "image", style: { image, x, y, width: w, height: ht } };
        },
      }],
    },
    cellAt: (x, y) => (steps[x] === undefined || bins[y] === undefined ? "" : `step ${steps[x]} · ${bins[y]}: ${formatNumber(values[x * bins.length + y])}`),
  };
}

function ridgelineOption(series: HistogramAtStep[]): HistogramChartOption {
  const ridges = ridgelines(series, RIDGES);
  const rows = ridges.length;
  // the oldest at the top, the newest at the bottom and drawn last: in front
  const baseline = (i: number) => rows - 1 - i;
  const low = Math.min(...series.map((s) => s.edges[0]));
  const high = Math.max(...series.map((s) => s.edges[s.edges.length - 1]));
  return {
    animation: false,
    grid: GRID,
    tooltip: { trigger: "item", formatter: (params) => `step ${ridges[(params as { dataIndex: number }).dataIndex].step}` },
    xAxis: { type: "value", min: low, max: high, axisLabel: { formatter: (v: number) => formatNumber(v) } },
    yAxis: {
      type: "value", min: 0, max: rows - 1 + RIDGE_HEIGHT, interval: Math.max(1, Math.ceil(rows / 8)), splitLine: { show: false },
      axisLabel: { formatter: (v: number) => (Number.isInteger(v) && v < rows ? `step ${ridges[rows - 1 - v].step}` : "") },
    },
    series: [{
      type: "custom",
      data: ridges.map((_, i) => [i]),
      renderItem: (params, api): CustomSeriesRenderItemReturn => {
        const i = params.dataIndex;
        const y = baseline(i);
        const { points } = ridges[i];
        const shape = [[points[0]?.[0] ?? low, y], ...points.map(([x, v]) => [x, y + v * RIDGE_HEIGHT]), [points.at(-1)?.[0] ?? high, y]].map((p) => api.coord(p));
        const age = rows > 1 ? i / (rows - 1) : 1;
        return { type: "polygon", shape: { points: shape }, style: { fill: `rgba(33, 113, 181, ${0.15 + 0.5 * age})`, stroke: "#08306b", lineWidth: 1 } };
      },
    }],
  };
}
