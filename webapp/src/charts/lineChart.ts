import type { ChartSettings } from "../app/viewState";
import type { ChartOverrides } from "./chartOverrides";
import { formatNumber } from "../ui/dom";
import { runColor } from "./runColor";
import { xMetricOf } from "./panels";
import type { Format } from "./units";
import { echarts, type CustomSeriesRenderItemReturn, type CustomSeriesOption, type LineChartOption } from "./echarts";
import { extremes, highest, lowest, smooth, type Extreme, type Point, type SeriesBuffer } from "./seriesBuffer";

/** What a chart needs to know about the runs it draws. */
export interface RunInfo {
  id: string;
  name: string;
  /** Its project, where the chart's data is exported from. */
  project?: string;
  /** Epoch milliseconds; the origin of the relative-time axis. */
  start: number;
  color: string;
}

const DASHES = ["solid", "dashed", "dotted"] as const;
export type LineDash = (typeof DASHES)[number];
/** Lines of a run's splits differ by their dash (and the runs by their colour). */
export const lineDash = (splitIndex: number): LineDash => DASHES[splitIndex % DASHES.length];
/** Beyond this, markers of NaN/Infinity points would cost more than they tell. */
const MAX_MARKERS = 100;

export const lineName = (run: RunInfo, split: string | null) => (split ? `${run.name} · ${split}` : run.name);

/** A point's x: its step, its time, or on an axis of another metric (`xAt`), that metric's value at its step (NaN for none). */
function xOf(point: Point, run: RunInfo, settings: ChartSettings, xAt: Map<number, number> | undefined): number {
  if (settings.x === "wall") return point.time;
  if (settings.x === "relative") return (point.time - run.start) / 1000;
  if (settings.x === "step") return point.step;
  return xAt?.get(point.step) ?? NaN;
}

/**
 * A line's point: x, y (smoothed), for the tooltip the step, the time and the raw value, and the point's min and
 * max, which the y range takes in (also when zoomed) so that the band fits.
 */
export const LINE_DIMENSIONS = ["x", "y", "step", "time", "value", "min", "max"];
const WIDTH = LINE_DIMENSIONS.length;

/** A NaN or ±Infinity point: a marker at the height where the line was. */
export interface Marker {
  x: number;
  y: number;
  step: number;
  time: number;
  value: number;
}

/** What one buffer draws, as flat typed arrays that its shapes draw from without a copy (see linesSeries). */
export interface LineShape {
  /** LINE_DIMENSIONS per finite point; NaN and ±Infinity become markers, so the line is not broken. */
  line: Float64Array;
  /** [x, min, max] per point with a finite envelope (a raw point is its own min and max); empty when all is raw. */
  band: Float64Array;
  markers: Marker[];
  /** Pins on the line's min and max, when the settings show them. */
  pins: Pin[];
  /** Whether y is smoothed: then the raw values are drawn too, faint, behind the line. */
  smoothed: boolean;
  min?: Extreme;
  max?: Extreme;
}

export interface Pin {
  kind: "min" | "max";
  x: number;
  y: number;
  /** The step of the min or max, which the tooltip labels. */
  step: number;
}

/** A buffer's line; drawn against another metric (`m:` x axes), its points at steps `xAt` has no value of are left out. */
export function shapeLine(buffer: SeriesBuffer, run: RunInfo, settings: ChartSettings, xAt?: Map<number, number>): LineShape {
  const points = buffer.points;
  const smoothed = smooth(points.map((p) => p.value), settings.smoothing);
  const line = new Float64Array(points.length * WIDTH);
  const band = new Float64Array(buffer.bucketWidth > 0 ? points.length * 3 : 0);
  const markers: Marker[] = [];
  let lineLength = 0;
  let bandLength = 0;
  let lastY = 0;
  points.forEach((p, i) => {
    const x = xOf(p, run, settings, xAt);
    if (Number.isNaN(x)) return;
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
      markers.push({ x, y: lastY, step: p.step, time: p.time, value: p.value });
    }
    if (band.length && envelope) {
      band[bandLength++] = x;
      band[bandLength++] = low;
      band[bandLength++] = high;
    }
  });
  const { min, max } = extremes(points);
  const pins: Pin[] = [];
  for (const [kind, extreme] of settings.pins ? ([["min", min], ["max", max]] as const) : []) {
    if (!extreme) continue;
    const at = points.findIndex((p) => p.step === extreme.step);
    const x = xOf(points[at], run, settings, xAt);
    if (Number.isNaN(x)) continue;
    // on the smoothed line where one is drawn; else at the value (on the raw line, or its bucket's band)
    const y = settings.smoothing > 0 && Number.isFinite(smoothed[at]) ? smoothed[at] : extreme.value;
    pins.push({ kind, x, y, step: extreme.step });
  }
  return { line: line.subarray(0, lineLength), band: band.subarray(0, bandLength), markers, pins, smoothed: settings.smoothing > 0, min, max };
}

/**
 * Where values land on the canvas: x at `px + bx * (x - x0)` pixels, y likewise (in log10 of the value on a log
 * axis). Measured from a value near the data: an epoch-milliseconds axis puts 0 some 10^12 pixels away, where
 * the difference of two positions keeps only a few digits.
 */
interface Axes {
  x0: number;
  px: number;
  bx: number;
  y0: number;
  py: number;
  by: number;
  logY: boolean;
}

const pixelX = ({ x0, px, bx }: Axes, x: number) => px + bx * (x - x0);
/** A log axis has no place for 0 and below: they land at an infinite distance below. */
const pixelY = ({ y0, py, by, logY }: Axes, y: number) => py + by * ((logY ? (y > 0 ? Math.log10(y) : -Infinity) : y) - y0);

/** Two different values in [from, to] where an axis can be measured; some near `from` when there are none. */
function samples(from: number, to: number, log: boolean): [number, number] {
  const a = Number.isFinite(from) && (!log || from > 0) ? from : log ? 1 : 0;
  return [a, Number.isFinite(to) && to > a ? to : log ? a * 10 : a + 1];
}

/** Measures the axes (cheaper than asking ECharts for thousands of points) at two corners of a data item. */
function axesAt(coord: (value: number[]) => number[], [fromX, toX, low, high]: number[], logY: boolean): Axes {
  const [xa, xb] = samples(fromX, toX, false);
  const [ya, yb] = samples(low, high, logY);
  const [pxa, pya] = coord([xa, ya]);
  const [pxb, pyb] = coord([xb, yb]);
  const scale = (v: number) => (logY ? Math.log10(v) : v);
  return { x0: xa, px: pxa, bx: (pxb - pxa) / (xb - xa), y0: scale(ya), py: pya, by: (pyb - pya) / (scale(yb) - scale(ya)), logY };
}

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

interface LinePath extends Axes {
  line: Float64Array;
  /** Draws the raw values rather than y (the smoothed ones). */
  raw?: boolean;
}

/**
 * A line as one path straight from its flat array, for the reason a band is: y, or the raw values. A point a log
 * axis has no place for breaks the line, as it would in an ECharts line series.
 */
echarts.graphic.registerShape("flatLine", echarts.graphic.extendShape({
  shape: { path: undefined as LinePath | undefined },
  buildPath(ctx, { path }: { path?: LinePath }) {
    if (!path) return;
    const { line } = path;
    const y = path.raw ? LINE_DIMENSIONS.indexOf("value") : 1;
    let drawing = false;
    for (let i = 0; i < line.length; i += WIDTH) {
      const py = pixelY(path, line[i + y]);
      if (!Number.isFinite(py)) {
        drawing = false;
        continue;
      }
      if (drawing) ctx.lineTo(pixelX(path, line[i]), py);
      else ctx.moveTo(pixelX(path, line[i]), py);
      drawing = true;
    }
  },
}));

/** A line as a chart draws it. */
export interface DrawnLine {
  name: string;
  color: string;
  dash: LineDash;
  shape: LineShape;
}

/** Pins are dots of this radius on the line, ringed to stand out from it; the tooltip labels them. */
const PIN_RADIUS = 3.5;
/** Markers of 10 pixels centred on the point: a diamond for NaN, a triangle up for +∞ and down for −∞. */
const MARKERS = { nan: [[0, -5], [5, 0], [0, 5], [-5, 0]], up: [[0, -5], [5, 4], [-5, 4]], down: [[0, 5], [5, -4], [-5, -4]] };
/** How much of its colour a line keeps while another one is highlighted (ECharts' blur is about this). */
const FADED = 0.1;
/** How much of its colour the raw line behind a smoothed one keeps (TensorBoard's and W&B's are about this faint). */
const RAW = 0.25;
const LINES_ID = "lines";
/** Points per data item of the lines series: the items in the zoom window set the y range. */
const CHUNK = 100;

/**
 * The data items of a line: one per CHUNK points, [first x, last x, lowest y, highest y] over them and the first
 * point of the next chunk (so that no x between two points falls outside every item), with the line's index. The
 * dataZoom's weakFilter keeps the items that overlap the window, and the y axis fits them: it follows the zoom as
 * it would for a line series. A line of NaN/±Infinity points alone gets one item spanning its markers.
 */
function itemsOf({ line, markers }: LineShape, index: number, logY: boolean): number[][] {
  const count = line.length / WIDTH;
  if (!count) return markers.length ? [[markers[0].x, markers[markers.length - 1].x, NaN, NaN, index]] : [];
  const items: number[][] = [];
  for (let from = 0; from < count - 1 || from === 0; from += CHUNK) {
    const last = Math.min(from + CHUNK, count - 1);
    let low = Infinity;
    let high = -Infinity;
    for (let i = from * WIDTH; i <= last * WIDTH; i += WIDTH) {
      // a log axis leaves out what it has no place for (ECharts does so per value, and an item's low is one)
      if (!logY || line[i + 1] > 0) low = Math.min(low, line[i + 1]);
      if (!logY || line[i + 5] > 0) low = Math.min(low, line[i + 5]);
      high = Math.max(high, line[i + 1], line[i + 6]);
    }
    items.push([line[from * WIDTH], line[last * WIDTH], low === Infinity ? NaN : low, high, index]);
  }
  return items;
}

/**
 * All of a chart's lines in one custom series: for each line its min/max band under all lines, its raw values faint
 * when it is smoothed, the line, its min
 * and max pins and its NaN/±Infinity markers over them, drawn from the shapes' flat arrays. Twenty ECharts line
 * series cost a live redraw about twice the main thread's time (their models and views updated for every
 * redraw, each path also recorded for hover hit tests); here every element is silent. Lines hidden in the legend
 * are left out by the caller; while `focus` names a line the others fade. A line is drawn by the first of its
 * items that ECharts renders in a round (it renders only those in the zoom window).
 */
export function linesSeries(lines: DrawnLine[], logY: boolean, focus?: string): CustomSeriesOption {
  const data = lines.flatMap(({ shape }, index) => itemsOf(shape, index, logY));
  return {
    type: "custom",
    id: LINES_ID,
    data,
    encode: { x: [0, 1], y: [2, 3] },
    renderItem: (params, api) => {
      const drawn = ((params.context as { drawn?: Set<number> }).drawn ??= new Set());
      const index = data[params.dataIndex][4];
      if (drawn.has(index)) return null;
      drawn.add(index);
      const { name, color, dash, shape } = lines[index];
      const opacity = focus === undefined || focus === name ? 1 : FADED;
      const grid = params.coordSys as unknown as { x: number; y: number; width: number; height: number };
      const axes = axesAt(api.coord, data[params.dataIndex], logY);
      const clipPath = { type: "rect", shape: { x: grid.x, y: grid.y, width: grid.width, height: grid.height } };
      const inPlot = (px: number, py: number) => px >= grid.x && px <= grid.x + grid.width && py >= grid.y && py <= grid.y + grid.height;
      const children: object[] = [];
      if (shape.band.length) {
        const path: BandPath = { ...axes, band: shape.band, bottom: grid.y + grid.height };
        children.push({ type: "minMaxBand", shape: { path }, style: { fill: color, opacity: 0.15 * opacity }, clipPath, z2: 0, silent: true });
      }
      if (shape.line.length && shape.smoothed) {
        const path: LinePath = { ...axes, line: shape.line, raw: true };
        children.push({ type: "flatLine", shape: { path }, style: { stroke: color, fill: null, lineWidth: 1, opacity: RAW * opacity }, clipPath, z2: 5, silent: true });
      }
      if (shape.line.length) {
        const path: LinePath = { ...axes, line: shape.line };
        children.push({ type: "flatLine", shape: { path }, style: { stroke: color, fill: null, lineWidth: 1.5, lineDash: dash, opacity }, clipPath, z2: 10, silent: true });
      }
      for (const { x, y } of shape.pins) {
        const px = pixelX(axes, x);
        const py = pixelY(axes, y);
        if (!inPlot(px, py)) continue;
        children.push({ type: "circle", shape: { cx: px, cy: py, r: PIN_RADIUS }, style: { fill: color, stroke: "#fff", lineWidth: 1, opacity }, z2: 20, silent: true });
      }
      for (const { x, y, value } of shape.markers) {
        const px = pixelX(axes, x);
        const py = pixelY(axes, y);
        if (!inPlot(px, py)) continue;
        const corners = MARKERS[Number.isNaN(value) ? "nan" : value > 0 ? "up" : "down"];
        const points = corners.map(([dx, dy]) => [px + dx, py + dy]);
        children.push({ type: "polygon", shape: { points }, style: { fill: color, stroke: "#d00", lineWidth: 1.5, opacity }, z2: 30, silent: true });
      }
      // ECharts types know only its own shapes
      return { type: "group", children } as unknown as CustomSeriesRenderItemReturn;
    },
    // each round renders every item at once, so that `params.context` (which line is drawn) holds for all of them
    progressive: 0,
    clip: false,
    silent: true,
    animation: false,
  };
}

/** The index of the point of a flat line nearest to x (the points are in order of x). */
function nearest(line: Float64Array, x: number): number {
  let low = 0;
  let high = line.length / WIDTH - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (line[middle * WIDTH] < x) low = middle + 1;
    else high = middle;
  }
  return low > 0 && x - line[(low - 1) * WIDTH] < line[low * WIDTH] - x ? low - 1 : low;
}

/**
 * The tooltip at x on the x axis: for each line whose points span x, the point nearest to it (or the NaN/±Infinity
 * point, when one is nearer) with its value, step and time.
 */
export function tooltipAt(lines: DrawnLine[], x: number | undefined, format: Format = formatNumber): string {
  if (x === undefined) return "";
  const rows = lines.flatMap(({ name, color, shape: { line, markers, pins } }) => {
    const xs = [line[0], line[line.length - WIDTH], markers[0]?.x, markers[markers.length - 1]?.x].filter((v) => v !== undefined);
    if (!(x >= Math.min(...xs) && x <= Math.max(...xs))) return [];
    const i = line.length ? nearest(line, x) * WIDTH : -1;
    const marker = markers.reduce<Marker | undefined>((best, m) => (Math.abs(m.x - x) < Math.abs((best?.x ?? Infinity) - x) ? m : best), undefined);
    const point = marker && (i < 0 || Math.abs(marker.x - x) < Math.abs(line[i] - x))
      ? { y: marker.value, step: marker.step, time: marker.time, value: marker.value }
      : { y: line[i + 1], step: line[i + 2], time: line[i + 3], value: line[i + 4] };
    const smoothed = !Object.is(point.y, point.value) ? ` <small>(smoothed ${format(point.y)})</small>` : "";
    const pinned = pins.filter((pin) => pin.step === point.step).map((pin) => ` <b>${pin.kind}</b>`).join("");
    return [`<div><span style="color:${color}">●</span> ${escape(name)}: <b>${format(point.value)}</b>${smoothed}${pinned}` +
      ` <small>step ${point.step} · ${new Date(point.time).toLocaleTimeString()}</small></div>`];
  });
  return rows.join("");
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const AXIS_NAMES = { step: "step", relative: "seconds since start", wall: "time" } as const;

/**
 * The whole option of a metric chart; live updates later only replace its series. The axis tooltip's text comes
 * from `tooltip`, which knows where the pointer is: ECharts' own would list the nearest data items (chunks). The y
 * axis labels its values with `format` (the metric's unit).
 */
export function chartOption(series: CustomSeriesOption, settings: ChartSettings, tooltip: () => string,
  format: Format = formatNumber, { yMin, yMax, zoom }: Pick<ChartOverrides, "yMin" | "yMax" | "zoom"> = {}): LineChartOption {
  // the window kept in the URL (written only when set: an option without it keeps the window as the user left it)
  const window = zoom ? { startValue: zoom[0], endValue: zoom[1] } : {};
  return {
    animation: false,
    grid: { left: 8, right: 16, top: 16, bottom: 56, containLabel: true },
    tooltip: { trigger: "axis", confine: true, formatter: tooltip },
    xAxis: {
      type: settings.x === "wall" ? "time" : "value",
      name: xMetricOf(settings.x) ?? AXIS_NAMES[settings.x as keyof typeof AXIS_NAMES],
      nameLocation: "middle",
      nameGap: 24,
      scale: true,
      // not snapped: the pointer (and its value in `updateAxisPointer`) would jump to the nearest item's first x
      axisPointer: { snap: false },
    },
    // a chart's own y range (undefined: fitted; a log axis has no place for a bound at or below 0)
    yAxis: { type: settings.log ? "log" : "value", scale: true, axisLabel: { formatter: (value: number) => format(value) },
      min: settings.log && (yMin ?? 1) <= 0 ? undefined : yMin, max: settings.log && (yMax ?? 1) <= 0 ? undefined : yMax },
    dataZoom: [
      // weakFilter: the items (chunks of lines) that overlap the window
      { type: "inside", xAxisIndex: 0, filterMode: "weakFilter", ...window },
      { type: "slider", xAxisIndex: 0, filterMode: "weakFilter", height: 16, bottom: 6, ...window },
    ],
    series: [series],
  };
}

/** A run as the charts draw it, in its own colour (see runColor). */
export const toRunInfo = (run: { id: string; name?: string | null; createdAt: string; model?: { project: { name: string } } }): RunInfo => ({
  id: run.id,
  name: run.name ?? `run ${run.id}`,
  project: run.model?.project.name,
  start: Date.parse(run.createdAt),
  color: runColor(run.id),
});
