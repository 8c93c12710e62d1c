import type { ChartSettings } from "../app/viewState";
import { formatNumber } from "../ui/dom";
import type { LineChartOption, LineSeriesOption } from "./echarts";
import { extremes, seriesKey, smooth, type Point, type SeriesBuffer } from "./seriesBuffer";

/** What a chart needs to know about the runs it draws. */
export interface RunInfo {
  id: string;
  name: string;
  /** Epoch milliseconds; the origin of the relative-time axis. */
  start: number;
  color: string;
}

export const RUN_COLORS = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#79706e",
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
];
const DASHES = ["solid", "dashed", "dotted"] as const;
/** Beyond this, markers of NaN/Infinity points would cost more than they tell. */
const MAX_MARKERS = 100;
/**
 * Min/max bands are drawn while a chart has at most this many lines: each band costs two more series, and
 * many overlapping bands hide the lines (a compare view of 20 runs stays readable and twice as fast).
 */
export const MAX_LINES_WITH_BANDS = 8;

export const lineName = (run: RunInfo, split: string | null) => (split ? `${run.name} · ${split}` : run.name);

function xOf(point: Point, run: RunInfo, settings: ChartSettings): number {
  if (settings.x === "wall") return point.time;
  if (settings.x === "relative") return (point.time - run.start) / 1000;
  return point.step;
}

/** Data item of a line: [x, y (smoothed), step, time, raw value]; the tooltip reads the extra dimensions. */
type LineItem = [number, number, number, number, number];

/**
 * The ECharts series drawing one buffer: the line (finite points only, so NaN/Infinity do not break it;
 * they become markers instead, with the min and max), and for bucketed data a min/max band made of two
 * stacked invisible lines, the upper one filled.
 */
export function seriesFor(buffer: SeriesBuffer, run: RunInfo, settings: ChartSettings, splitIndex: number, withBand: boolean): LineSeriesOption[] {
  const id = seriesKey(buffer.runId, buffer.name, buffer.split);
  const name = lineName(run, buffer.split);
  const points = buffer.points;
  const smoothed = smooth(points.map((p) => p.value), settings.smoothing);
  const line: LineItem[] = [];
  const markers: NonNullable<LineSeriesOption["markPoint"]>["data"] = [];
  let lastY = 0;
  points.forEach((p, i) => {
    const x = xOf(p, run, settings);
    if (Number.isFinite(p.value)) {
      lastY = smoothed[i];
      line.push([x, lastY, p.step, p.time, p.value]);
    } else if (markers.length < MAX_MARKERS) {
      const label = Number.isNaN(p.value) ? "NaN" : p.value > 0 ? "+∞" : "−∞";
      markers.push({
        coord: [x, lastY],
        symbol: Number.isNaN(p.value) ? "diamond" : "triangle",
        symbolRotate: p.value === -Infinity ? 180 : 0,
        symbolSize: 9,
        itemStyle: { color: run.color, borderColor: "#d00", borderWidth: 1.5 },
        name: `${label} at step ${p.step}`,
        label: { show: false },
      });
    }
  });
  const { min, max } = extremes(points);
  for (const [kind, extreme] of [["min", min], ["max", max]] as const) {
    if (!extreme) continue;
    const point = points.find((p) => p.step === extreme.step)!;
    markers.push({
      coord: [xOf(point, run, settings), extreme.value],
      name: `${kind} ${formatNumber(extreme.value)} at step ${extreme.step}`,
      // a pin's tip on the point: above it for the max, below it for the min
      symbol: "pin",
      symbolSize: 22,
      symbolRotate: kind === "min" ? 180 : 0,
      symbolOffset: [0, kind === "min" ? 11 : -11],
      itemStyle: { color: run.color },
      label: { show: false },
    });
  }
  const common = { type: "line" as const, name, showSymbol: false, animation: false };
  const series: LineSeriesOption[] = [
    {
      ...common,
      id,
      data: line,
      color: run.color,
      lineStyle: { width: 1.5, type: DASHES[splitIndex % DASHES.length] },
      emphasis: { focus: "series" },
      markPoint: { data: markers, animation: false, emphasis: { label: { show: true, formatter: "{b}" } } },
    },
  ];
  if (withBand && buffer.bucketWidth > 0) {
    const band = points.filter((p) => p.min !== undefined && p.max !== undefined && Number.isFinite(p.min) && Number.isFinite(p.max));
    const stack = `${id}#band`;
    const hidden = { ...common, stack, silent: true, color: run.color, lineStyle: { opacity: 0 }, tooltip: { show: false } };
    series.push(
      { ...hidden, id: `${id}#min`, data: band.map((p) => [xOf(p, run, settings), p.min!]) },
      { ...hidden, id: `${id}#max`, data: band.map((p) => [xOf(p, run, settings), p.max! - p.min!]), areaStyle: { opacity: 0.15 } },
    );
  }
  return series;
}

const isLine = (seriesId: string) => !seriesId.includes("#");

function tooltip(params: unknown): string {
  const items = (params as { seriesId: string; seriesName: string; color: string; value: LineItem }[]).filter((p) => isLine(p.seriesId));
  if (!items.length) return "";
  const rows = items.map(({ seriesName, color, value: [, y, step, time, raw] }) => {
    const smoothed = y !== raw ? ` <small>(smoothed ${formatNumber(y)})</small>` : "";
    return `<div><span style="color:${color}">●</span> ${escape(seriesName)}: <b>${formatNumber(raw)}</b>${smoothed}` +
      ` <small>step ${step} · ${new Date(time).toLocaleTimeString()}</small></div>`;
  });
  return rows.join("");
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const AXIS_NAMES = { step: "step", relative: "seconds since start", wall: "time" } as const;

/** The whole option of a metric chart; live updates later only replace series by id. */
export function chartOption(series: LineSeriesOption[], settings: ChartSettings): LineChartOption {
  return {
    animation: false,
    grid: { left: 8, right: 16, top: 40, bottom: 56, containLabel: true },
    legend: { type: "scroll", top: 0, data: series.filter((s) => isLine(String(s.id))).map((s) => String(s.name)) },
    tooltip: { trigger: "axis", confine: true, formatter: tooltip },
    xAxis: { type: settings.x === "wall" ? "time" : "value", name: AXIS_NAMES[settings.x], nameLocation: "middle", nameGap: 24, scale: true },
    yAxis: { type: settings.log ? "log" : "value", scale: true },
    dataZoom: [
      { type: "inside", xAxisIndex: 0, filterMode: "filter" },
      { type: "slider", xAxisIndex: 0, filterMode: "filter", height: 16, bottom: 6 },
    ],
    series,
  };
}

export const toRunInfo = (run: { id: string; name?: string | null; createdAt: string }, index: number): RunInfo => ({
  id: run.id,
  name: run.name ?? `run ${run.id}`,
  start: Date.parse(run.createdAt),
  color: RUN_COLORS[index % RUN_COLORS.length],
});
