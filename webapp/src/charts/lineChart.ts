import type { ChartSettings } from "../app/viewState";
import { formatNumber } from "../ui/dom";
import { echarts, type CustomSeriesRenderItemReturn, type CustomSeriesOption, type LineChartOption, type LineSeriesOption } from "./echarts";
import { extremes, highest, lowest, seriesKey, smooth, type Extreme, type Point, type SeriesBuffer } from "./seriesBuffer";

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

export const lineName = (run: RunInfo, split: string | null) => (split ? `${run.name} · ${split}` : run.name);

function xOf(point: Point, run: RunInfo, settings: ChartSettings): number {
  if (settings.x === "wall") return point.time;
  if (settings.x === "relative") return (point.time - run.start) / 1000;
  return point.step;
}

/**
 * A line's data item: x, y (smoothed), for the tooltip the step, the time and the raw value, and the point's
 * min and max, which are on the y axis too so that its range (also when zoomed) takes in the band.
 */
export const LINE_DIMENSIONS = ["x", "y", "step", "time", "value", "min", "max"];
type LineItem = [number, number, number, number, number, number, number];
type Markers = NonNullable<LineSeriesOption["markPoint"]>["data"] & object[];

/**
 * What one buffer draws, as flat typed arrays: ECharts neither deep-clones nor parses item by item a typed
 * array, which for thousands of points per line is most of what a plain array of arrays costs it.
 */
export interface LineShape {
  /** LINE_DIMENSIONS per finite point; NaN and ±Infinity become markers, so the line is not broken. */
  line: Float64Array;
  /** [x, min, max] per point with a finite envelope (a raw point is its own min and max); empty when all is raw. */
  band: Float64Array;
  markers: Markers;
  min?: Extreme;
  max?: Extreme;
}

export function shapeLine(buffer: SeriesBuffer, run: RunInfo, settings: ChartSettings): LineShape {
  const points = buffer.points;
  const smoothed = smooth(points.map((p) => p.value), settings.smoothing);
  const line = new Float64Array(points.length * LINE_DIMENSIONS.length);
  const band = new Float64Array(buffer.bucketWidth > 0 ? points.length * 3 : 0);
  const markers: Markers = [];
  let lineLength = 0;
  let bandLength = 0;
  let lastY = 0;
  points.forEach((p, i) => {
    const x = xOf(p, run, settings);
    const low = lowest(p);
    const high = highest(p);
    const envelope = low !== undefined && high !== undefined && Number.isFinite(low) && Number.isFinite(high);
    if (Number.isFinite(p.value)) {
      lastY = smoothed[i];
      line[lineLength++] = x;
      line[lineLength++] = lastY;
      line[lineLength++] = p.step;
      line[lineLength++] = p.time;
      line[lineLength++] = p.value;
      line[lineLength++] = envelope ? low : lastY;
      line[lineLength++] = envelope ? high : lastY;
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
    if (band.length && envelope) {
      band[bandLength++] = x;
      band[bandLength++] = low;
      band[bandLength++] = high;
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
  return { line: line.subarray(0, lineLength), band: band.subarray(0, bandLength), markers, min, max };
}

/** A band and where its values land on the canvas: x and y each at `a + b * v` pixels (v = log10(y) on a log axis). */
interface BandPath {
  band: Float64Array;
  ax: number;
  bx: number;
  ay: number;
  by: number;
  logY: boolean;
}

/**
 * A min/max band as one closed path, upper edge forth and lower edge back, drawn straight from the flat array. A
 * polygon would take an array per corner, which ECharts also copies on every update: for 20 bands of 2,000
 * corners, a third of what a live redraw allocated. The path is in an object, where ECharts does not copy it.
 */
echarts.graphic.registerShape("minMaxBand", echarts.graphic.extendShape({
  shape: { path: undefined as BandPath | undefined },
  buildPath(ctx, { path }: { path?: BandPath }) {
    if (!path) return;
    const { band, ax, bx, ay, by, logY } = path;
    const count = band.length / 3;
    let started = false;
    const to = (x: number, y: number) => {
      const py = ay + by * (logY ? Math.log10(y) : y);
      if (!Number.isFinite(py)) return; // a log axis has no place for <= 0
      if (started) ctx.lineTo(ax + bx * x, py);
      else ctx.moveTo(ax + bx * x, py);
      started = true;
    };
    for (let i = 0; i < count; i++) to(band[3 * i], band[3 * i + 2]);
    for (let i = count - 1; i >= 0; i--) to(band[3 * i], band[3 * i + 1]);
    ctx.closePath();
  },
}));

/**
 * A line's min/max band, drawn by a custom series with a single item that spans the band's x range (the
 * dataZoom's weakFilter keeps it while any of it is in view): one element per line, where a bucket per item
 * would make ECharts diff thousands of items on every update. It adds nothing to the y range: the line's own
 * min and max dimensions do.
 */
function bandSeries(id: string, name: string, color: string, band: Float64Array, logY: boolean): CustomSeriesOption {
  const count = band.length / 3;
  return {
    type: "custom",
    id: `${id}#band`,
    name,
    data: count ? [[band[0], band[band.length - 3], NaN]] : [],
    encode: { x: [0, 1], y: 2 },
    renderItem: (_params, api) => {
      // Axes map values to pixels by a scale and an offset, which two points give (a log axis in log10 of the
      // value): much cheaper than asking ECharts for thousands of points.
      const [x0, y0] = api.coord([0, logY ? 1 : 0]);
      const [x1, y1] = api.coord([1, logY ? 10 : 1]);
      const path: BandPath = { band, ax: x0, bx: x1 - x0, ay: y0, by: y1 - y0, logY };
      return { type: "minMaxBand", shape: { path }, style: { fill: color, opacity: 0.15 }, silent: true } as unknown as CustomSeriesRenderItemReturn; // ECharts types know only its own shapes
    },
    clip: true,
    silent: true,
    animation: false,
    tooltip: { show: false },
  };
}

/**
 * The two ECharts series of one buffer: the line (with the NaN/Infinity markers and the min and max pins), and
 * its band, which shares the line's name so that the legend shows and hides them together.
 */
export function seriesFor(buffer: SeriesBuffer, shape: LineShape, run: RunInfo, settings: ChartSettings, splitIndex: number): [LineSeriesOption, CustomSeriesOption] {
  const id = seriesKey(buffer.runId, buffer.name, buffer.split);
  const name = lineName(run, buffer.split);
  return [
    {
      type: "line",
      id,
      name,
      data: shape.line as unknown as LineSeriesOption["data"],
      dimensions: LINE_DIMENSIONS,
      encode: { x: 0, y: [1, 5, 6] },
      color: run.color,
      showSymbol: false,
      animation: false,
      lineStyle: { width: 1.5, type: DASHES[splitIndex % DASHES.length] },
      emphasis: { focus: "series" },
      markPoint: { data: shape.markers, animation: false, emphasis: { label: { show: true, formatter: "{b}" } } },
    },
    bandSeries(id, name, run.color, shape.band, settings.log),
  ];
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
export function chartOption(series: (LineSeriesOption | CustomSeriesOption)[], settings: ChartSettings): LineChartOption {
  return {
    animation: false,
    grid: { left: 8, right: 16, top: 40, bottom: 56, containLabel: true },
    legend: { type: "scroll", top: 0, data: series.filter((s) => isLine(String(s.id))).map((s) => String(s.name)) },
    tooltip: { trigger: "axis", confine: true, formatter: tooltip },
    xAxis: { type: settings.x === "wall" ? "time" : "value", name: AXIS_NAMES[settings.x], nameLocation: "middle", nameGap: 24, scale: true },
    yAxis: { type: settings.log ? "log" : "value", scale: true },
    dataZoom: [
      // weakFilter: a line's points in view and a band that overlaps the view (for a line it is the same as filter)
      { type: "inside", xAxisIndex: 0, filterMode: "weakFilter" },
      { type: "slider", xAxisIndex: 0, filterMode: "weakFilter", height: 16, bottom: 6 },
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
