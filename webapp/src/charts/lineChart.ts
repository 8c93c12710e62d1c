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
export type LineDash = (typeof DASHES)[number];
/** Lines of a run's splits differ by their dash (and the runs by their colour). */
export const lineDash = (splitIndex: number): LineDash => DASHES[splitIndex % DASHES.length];
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
  /** NaN and ±Infinity points, at the height where the line was. */
  markers: Markers;
  /** The line's min and max, where their pins point. */
  pins: Pin[];
  min?: Extreme;
  max?: Extreme;
}

export interface Pin {
  kind: "min" | "max";
  x: number;
  y: number;
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
  const pins: Pin[] = [];
  for (const [kind, extreme] of [["min", min], ["max", max]] as const) {
    if (extreme) pins.push({ kind, x: xOf(points.find((p) => p.step === extreme.step)!, run, settings), y: extreme.value });
  }
  return { line: line.subarray(0, lineLength), band: band.subarray(0, bandLength), markers, pins, min, max };
}

/** Where values land on the canvas: x and y each at `a + b * v` pixels (v = log10(y) on a log axis). */
interface Axes {
  ax: number;
  bx: number;
  ay: number;
  by: number;
  logY: boolean;
}

const pixelX = ({ ax, bx }: Axes, x: number) => ax + bx * x;
/** A log axis has no place for 0 and below: they land at an infinite distance below. */
const pixelY = ({ ay, by, logY }: Axes, y: number) => ay + by * (logY ? (y > 0 ? Math.log10(y) : -Infinity) : y);

interface BandPath extends Axes {
  band: Float64Array;
  /** The plot's bottom edge, in pixels. */
  bottom: number;
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
    const { band, bottom } = path;
    const count = band.length / 3;
    let started = false;
    const to = (x: number, y: number) => {
      // where a log axis has no place for the value, the band reaches down to the bottom edge
      const py = Math.min(pixelY(path, y), bottom);
      if (started) ctx.lineTo(pixelX(path, x), py);
      else ctx.moveTo(pixelX(path, x), py);
      started = true;
    };
    for (let i = 0; i < count; i++) to(band[3 * i], band[3 * i + 2]);
    for (let i = count - 1; i >= 0; i--) to(band[3 * i], band[3 * i + 1]);
    ctx.closePath();
  },
}));

/** What a chart draws around one of its lines. */
export interface LineDecorations {
  name: string;
  color: string;
  shape: LineShape;
}

/** Not a line: the tooltip and the legend leave it out. */
const DECORATIONS_ID = "#decorations";

/** Pins of 16 × 22 pixels, the tip on the point: above it for a max, below it for a min. */
const PIN_DOWN = "M8 22L1.6 12.8A8 8 0 1 1 14.4 12.8Z";
const PIN_UP = "M8 0L1.6 9.2A8 8 0 1 0 14.4 9.2Z";

/**
 * The min/max bands and the min and max pins of all of a chart's lines, in one custom series with an item per
 * line that spans the line's x range (the dataZoom's weakFilter keeps it while any of it is in view). One
 * series, where a band series and a markPoint component per line made ECharts keep and update 40 more models
 * on every redraw (a live redraw took about a fifth longer). The bands lie under the lines and the pins over them. It
 * adds nothing to the y range: each line's own min and max dimensions do. Lines hidden in the legend are left
 * out by the caller. Its elements are silent: zrender then keeps no copy of their paths for hit tests.
 */
export function decorationsSeries(lines: LineDecorations[], logY: boolean): CustomSeriesOption {
  const drawn = lines.filter(({ shape }) => shape.line.length || shape.band.length);
  // the first and last x of the line and of the band (either may be empty)
  const span = ({ shape: { line, band } }: LineDecorations) => {
    const xs = [line[0], line[line.length - LINE_DIMENSIONS.length], band[0], band[band.length - 3]].filter((x) => x !== undefined);
    return [Math.min(...xs), Math.max(...xs), NaN];
  };
  return {
    type: "custom",
    id: DECORATIONS_ID,
    data: drawn.map(span),
    encode: { x: [0, 1], y: 2 },
    renderItem: (params, api) => {
      const { color, shape } = drawn[params.dataIndex];
      const grid = params.coordSys as unknown as { x: number; y: number; width: number; height: number };
      // Axes map values to pixels by a scale and an offset, which two points give (a log axis in log10 of the
      // value): much cheaper than asking ECharts for thousands of points.
      const [x0, y0] = api.coord([0, logY ? 1 : 0]);
      const [x1, y1] = api.coord([1, logY ? 10 : 1]);
      const axes: Axes = { ax: x0, bx: x1 - x0, ay: y0, by: y1 - y0, logY };
      const children: object[] = [];
      if (shape.band.length) {
        const path: BandPath = { ...axes, band: shape.band, bottom: grid.y + grid.height };
        const clipPath = { type: "rect", shape: { x: grid.x, y: grid.y, width: grid.width, height: grid.height } };
        children.push({ type: "minMaxBand", shape: { path }, style: { fill: color, opacity: 0.15 }, clipPath, z2: 0, silent: true });
      }
      for (const { kind, x, y } of shape.pins) {
        const px = pixelX(axes, x);
        const py = pixelY(axes, y);
        if (!(px >= grid.x && px <= grid.x + grid.width && py >= grid.y && py <= grid.y + grid.height)) continue;
        const pathData = kind === "max" ? PIN_DOWN : PIN_UP;
        children.push({ type: "path", shape: { pathData, x: px - 8, y: kind === "max" ? py - 22 : py, width: 16, height: 22, layout: "cover" }, style: { fill: color }, z2: 20, silent: true });
      }
      // ECharts types know only its own shapes
      return { type: "group", children } as unknown as CustomSeriesRenderItemReturn;
    },
    clip: false,
    silent: true,
    animation: false,
    tooltip: { show: false },
  };
}

/** The line series of one buffer, with markers at its NaN and ±Infinity points. */
export function seriesFor(buffer: SeriesBuffer, shape: LineShape, run: RunInfo, dash: LineDash): LineSeriesOption {
  return {
    type: "line",
    id: seriesKey(buffer.runId, buffer.name, buffer.split),
    name: lineName(run, buffer.split),
    data: shape.line as unknown as LineSeriesOption["data"],
    dimensions: LINE_DIMENSIONS,
    encode: { x: 0, y: [1, 5, 6] },
    color: run.color,
    showSymbol: false,
    animation: false,
    lineStyle: { width: 1.5, type: dash },
    emphasis: { focus: "series" },
    // without data ECharts keeps no markPoint model for the series (most lines have no such points)
    markPoint: { data: shape.markers.length ? shape.markers : undefined, animation: false, emphasis: { label: { show: true, formatter: "{b}" } } },
  };
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
    grid: { left: 8, right: 16, top: 16, bottom: 56, containLabel: true },
    // drawn as buttons by the panel (see legend.ts); this one keeps which lines are shown
    legend: { show: false, data: series.filter((s) => isLine(String(s.id))).map((s) => String(s.name)) },
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
