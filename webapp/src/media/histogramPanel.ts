import { request } from "../api/graphql";
import { createChart, type CustomSeriesRenderItemReturn, type HistogramChartOption } from "../charts/echarts";
import { HistogramsDocument } from "../gql/graphql";
import { formatNumber, h } from "../ui/dom";
import { histogramMatrix, ridgelines, type HistogramAtStep } from "./histogramData";
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
 * spread over common bins), or a ridgeline of evenly chosen steps, the newest in front. Live steps fetch it again.
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
      element.dataset.drawnSteps = String(series.length);
      performance.mark("trackstack:histogram-drawn");
    });
    chart.setOption(mode === "heatmap" ? heatmapOption(series) : ridgelineOption(series), { notMerge: true });
  }

  element.append(h("div", { className: "toolbar" }, runs.length > 1 ? runSelect("Histogram run", runs, runId, (id) => {
    runId = id;
    void load();
  }) : "", modeSelect), status, container);
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

function heatmapOption(series: HistogramAtStep[]): HistogramChartOption {
  const { steps, edges, cells, max } = histogramMatrix(series, BINS);
  const bins = edges.slice(0, -1).map((edge, i) => `${formatNumber(edge)} – ${formatNumber(edges[i + 1])}`);
  return {
    animation: false,
    grid: GRID,
    tooltip: {
      trigger: "item",
      formatter: (params) => {
        const [x, y, count] = (params as unknown as { value: [number, number, number] }).value;
        return `step ${steps[x]}<br>${bins[y]}: ${formatNumber(count)}`;
      },
    },
    xAxis: { type: "category", name: "step", nameLocation: "middle", nameGap: 28, data: steps.map(String) },
    yAxis: { type: "category", data: bins, axisLabel: { formatter: (label: string) => label.split(" – ")[0] } },
    visualMap: { min: 0, max: max || 1, show: false, inRange: { color: ["#f7fbff", "#6baed6", "#08306b"] } },
    series: [{ type: "heatmap", data: cells, progressive: 0 }],
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
