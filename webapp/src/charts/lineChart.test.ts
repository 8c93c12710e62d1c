import { describe, expect, it } from "vitest";
import type { ChartSettings } from "../app/viewState";
import { formatFor } from "./units";
import { echarts, type CustomSeriesOption } from "./echarts";
import { LINE_DIMENSIONS, chartOption, linesSeries, shapeLine, tooltipAt, type DrawnLine, type LineShape, type RunInfo } from "./lineChart";
import type { Point, SeriesBuffer } from "./seriesBuffer";

const run: RunInfo = { id: "7", name: "lr-0.1", start: Date.UTC(2026, 0, 1), color: "#4e79a7" };
const settings: ChartSettings = { x: "step", smoothing: 0, log: false, pins: false, charts: "", perChart: {} };
const pinned: ChartSettings = { ...settings, pins: true };
const bucket = (step: number, value: number, min: number, max: number): Point => ({ step, time: run.start + step * 1000, value, min, max, count: 10 });
const buffer = (points: Point[], bucketWidth: number): SeriesBuffer => ({ runId: "7", name: "loss", split: "train", points, bucketWidth, maxPoints: 1000 });
/** The items of a flat typed array, `width` numbers each. */
const items = (data: Float64Array, width: number) => Array.from({ length: data.length / width }, (_, i) => Array.from(data.subarray(i * width, (i + 1) * width)));

describe("shapeLine", () => {
  it("should give every bucket of a downsampled line its min/max band, also where the line has a gap", () => {
    const shape = shapeLine(buffer([bucket(9, 0.5, 0.2, 0.9), bucket(19, NaN, 0.1, 0.4), bucket(29, 0.3, 0.3, 0.6)], 10), run, pinned);
    expect(items(shape.band, 3)).toEqual([[9, 0.2, 0.9], [19, 0.1, 0.4], [29, 0.3, 0.6]]);
    // the line skips the NaN bucket (a marker shows it) and carries each bucket's min and max for the y range
    expect(items(shape.line, LINE_DIMENSIONS.length)).toEqual([
      [9, 0.5, 9, run.start + 9000, 0.5, 0.2, 0.9],
      [29, 0.3, 29, run.start + 29000, 0.3, 0.3, 0.6],
    ]);
    expect(shape.markers).toEqual([{ x: 19, y: 0.5, step: 19, time: run.start + 19000, value: NaN }]);
    expect(shape.pins).toEqual([{ kind: "min", x: 19, y: 0.1, step: 19 }, { kind: "max", x: 9, y: 0.9, step: 9 }]);
    expect(shapeLine(buffer([bucket(9, 0.5, 0.2, 0.9)], 10), run, settings).pins).toEqual([]);
  });

  it("should put the pins on the smoothed line where smoothing is on", () => {
    const raw = (step: number, value: number): Point => ({ step, time: run.start, value, min: undefined, max: undefined, count: 1 });
    const shape = shapeLine(buffer([raw(0, 4), raw(1, 0), raw(2, 8), raw(3, 2)], 0), run, { ...pinned, smoothing: 0.6 });
    const lineY = (step: number) => items(shape.line, LINE_DIMENSIONS.length).find((point) => point[2] === step)![1];
    expect(shape.pins).toEqual([{ kind: "min", x: 1, y: lineY(1), step: 1 }, { kind: "max", x: 2, y: lineY(2), step: 2 }]);
    expect(lineY(2)).not.toBe(8);
  });

  it("should draw no band for raw points and let each point be its own min and max", () => {
    const raw = (step: number, value: number): Point => ({ step, time: run.start, value, min: undefined, max: undefined, count: 1 });
    const shape = shapeLine(buffer([raw(0, 1), raw(1, 2)], 0), run, { ...settings, smoothing: 0.5 });
    expect(shape.band).toHaveLength(0);
    const [first, second] = items(shape.line, LINE_DIMENSIONS.length);
    expect(first.slice(4)).toEqual([1, 1, 1]);
    // y is smoothed; the raw value and the min/max dimensions are not
    expect(second[1]).toBeGreaterThan(1);
    expect(second[1]).toBeLessThan(2);
    expect(second.slice(4)).toEqual([2, 2, 2]);
  });

  it("should place points at seconds since the run's start on the relative time axis", () => {
    const shape = shapeLine(buffer([bucket(9, 0.5, 0.2, 0.9)], 10), run, { ...settings, x: "relative" });
    expect(shape.line[0]).toBe(9);
    expect(shape.band[0]).toBe(9);
  });
});

interface Element {
  type: string;
  shape: { x: number; y: number; cx: number; cy: number; r: number; points: number[][] };
  style: { opacity: number; lineDash?: string };
  z2: number;
}

const line = (name: string, shape: LineShape): DrawnLine => ({ name, color: run.color, dash: "solid", shape });

/**
 * What the series draws for its data item `item` in a plot of 1000 × 1000 pixels at `left`: a group's elements,
 * or null. Items rendered in one round share `context`.
 */
function render(series: CustomSeriesOption, api: { coord: (point: number[]) => number[] }, left = 0, item = 0, context = {}): Element[] | null {
  const params = { dataIndex: item, context, coordSys: { x: left, y: 0, width: 1000, height: 1000 } };
  return (series.renderItem as (params: unknown, api: unknown) => { children: Element[] } | null)(params, api)?.children ?? null;
}
const drawn = (series: CustomSeriesOption, api: { coord: (point: number[]) => number[] }, left = 0) => render(series, api, left)!;

/** The points of a path of ours (band, line), drawn as ECharts would: its shape's path into a recording context. */
function corners(element: Element): number[][] {
  const Shape = echarts.graphic.getShapeClass(element.type);
  const points: number[][] = [];
  const record = (x: number, y: number) => void points.push([x, y]);
  new Shape().buildPath({ moveTo: record, lineTo: record, closePath: () => undefined } as never, element.shape as never);
  return points;
}

const linear = { coord: ([x, y]: number[]) => [5 + x * 2, 100 - y * 10] };
const raw = (step: number, value: number): Point => ({ step, time: run.start + step * 1000, value, min: undefined, max: undefined, count: 1 });

describe("linesSeries", () => {
  it("should draw a line's band under all lines, the line from its flat array, and its pins over them", () => {
    const b = buffer([bucket(9, 0.5, 0.2, 0.9), bucket(19, 0.3, 0.1, 0.4)], 10);
    const series = linesSeries([line("lr-0.1 · train", shapeLine(b, run, pinned))], false);
    // the line's item spans its x range and its y range with the band: zooming anywhere into it keeps it
    expect(series.data).toEqual([[9, 19, 0.1, 0.9, 0]]);
    const [band, path, min, max] = drawn(series, linear);
    expect(corners(band)).toEqual([[23, 91], [43, 96], [43, 99], [23, 98]]);
    expect(corners(path)).toEqual([[23, 95], [43, 97]]);
    // a pin is a small dot on the point: the min (19, 0.1), the max (9, 0.9)
    expect(min.shape).toEqual({ cx: 43, cy: 99, r: 3.5 });
    expect(max.shape).toEqual({ cx: 23, cy: 91, r: 3.5 });
    expect(band.z2).toBeLessThan(path.z2);
    expect(min.z2).toBeGreaterThan(path.z2);
  });

  it("should give a long line an item per chunk of points, and draw it once in a round", () => {
    const shape = shapeLine(buffer(Array.from({ length: 250 }, (_, step) => raw(step, step % 7)), 0), run, settings);
    const series = linesSeries([line("a", shape), line("b", shape)], false);
    // each chunk reaches to the next one's first point, so that no x between two points falls out of all of them
    expect((series.data as number[][]).map(([from, to, low, high, index]) => [from, to, low, high, index])).toEqual([
      [0, 100, 0, 6, 0], [100, 200, 0, 6, 0], [200, 249, 0, 6, 0],
      [0, 100, 0, 6, 1], [100, 200, 0, 6, 1], [200, 249, 0, 6, 1],
    ]);
    const context = {};
    // zoomed to the second chunk and on: the first item ECharts renders of a line draws all of it
    expect(render(series, linear, 0, 1, context)!.find((e) => e.type === "flatLine")).toBeDefined();
    expect(render(series, linear, 0, 2, context)).toBeNull();
    expect(corners(render(series, linear, 0, 4, context)!.find((e) => e.type === "flatLine")!)).toHaveLength(250);
  });

  it("should draw the raw values faint behind a smoothed line, and only then", () => {
    const points = [raw(0, 4), raw(1, 0), raw(2, 8)];
    const smoothed = drawn(linesSeries([line("a", shapeLine(buffer(points, 0), run, { ...settings, smoothing: 0.6 }))], false), linear);
    const [rawLine, smoothLine] = smoothed.filter((e) => e.type === "flatLine");
    expect(corners(rawLine)).toEqual([[5, 60], [7, 100], [9, 20]]);
    expect(corners(smoothLine)[2][1]).not.toBe(20);
    expect(rawLine.style.opacity).toBeLessThan(0.5);
    expect(smoothLine.style.opacity).toBe(1);
    expect(rawLine.z2).toBeLessThan(smoothLine.z2);
    const plain = drawn(linesSeries([line("a", shapeLine(buffer(points, 0), run, settings))], false), linear);
    expect(plain.filter((e) => e.type === "flatLine")).toHaveLength(1);
  });

  it("should fade every line but the highlighted one, and dash a line as its split says", () => {
    const shape = shapeLine(buffer([raw(0, 1), raw(10, 2)], 0), run, settings);
    const series = linesSeries([line("a", shape), { ...line("b", shape), dash: "dashed" }], false, "b");
    const a = render(series, linear, 0, 0, {})!;
    const b = render(series, linear, 0, 1, {})!;
    expect(a.every((e) => e.style.opacity < 0.5)).toBe(true);
    expect(b.every((e) => e.style.opacity === 1)).toBe(true);
    expect(b.find((e) => e.type === "flatLine")!.style.lineDash).toBe("dashed");
  });

  it("should place a band on a log axis, down to the bottom of the plot where it reaches 0 or below, and break the line there", () => {
    const b = buffer([bucket(9, 0.5, 0, 0.9), bucket(19, 0.3, 0.1, 0.4), bucket(29, 0.3, -0.5, 0.4), bucket(39, -1, -2, 0.4), bucket(49, 0.2, 0.1, 0.4)], 10);
    const series = linesSeries([line("lr-0.1 · train", shapeLine(b, run, settings))], true);
    // ECharts leaves a value out of a log axis's range if it is 0 or below: the item's low is the lowest above 0
    expect(series.data).toEqual([[9, 49, 0.1, 0.9, 0]]);
    const [band, path] = drawn(series, { coord: ([x, y]) => [x, y > 0 ? 50 - 10 * Math.log10(y) : NaN] });
    const points = corners(band);
    const at = (v: number) => expect.closeTo(50 - 10 * Math.log10(v), 9);
    expect(points.map(([x]) => x)).toEqual([9, 19, 29, 39, 49, 49, 39, 29, 19, 9]);
    expect(points.map(([, y]) => y)).toEqual([at(0.9), at(0.4), at(0.4), at(0.4), at(0.4), at(0.1), 1000, 1000, at(0.1), 1000]);
    // the point at -1 has no place: the line is drawn to step 29 and again from step 49
    expect(corners(path)).toEqual([[9, at(0.5)], [19, at(0.3)], [29, at(0.3)], [49, at(0.2)]]);
  });

  it("should place a line on a wall-time axis exactly, though the axis puts 0 some 10^12 pixels away", () => {
    const shape = shapeLine(buffer([raw(0, 1), raw(1, 2), raw(2, 3)], 0), run, { ...settings, x: "wall" });
    // an axis of 0.3 pixels per millisecond with the run's start at 90
    const wall = { coord: ([x, y]: number[]) => [90 + 0.3 * (x - run.start), 100 - y * 10] };
    const path = drawn(linesSeries([line("a", shape)], false), wall).find((e) => e.type === "flatLine")!;
    expect(corners(path)).toEqual([[90, 90], [390, 80], [690, 70]]);
  });

  it("should pin the min and max of raw points, and leave out a pin outside the plot", () => {
    const series = linesSeries([line("lr-0.1", shapeLine(buffer([raw(0, 1), raw(10, 2)], 0), run, pinned))], false);
    expect(drawn(series, linear).filter((e) => e.type === "circle")).toHaveLength(2);
    // zoomed so that the plot starts right of step 0 (x 5): the min's pin is out of it, the max's (x 25) in
    const [max, ...more] = drawn(series, linear, 10).filter((e) => e.type === "circle");
    expect(more).toHaveLength(0);
    expect(max.shape.cx).toBe(25);
    // pins are off by default
    const plain = linesSeries([line("lr-0.1", shapeLine(buffer([raw(0, 1), raw(10, 2)], 0), run, settings))], false);
    expect(drawn(plain, linear).filter((e) => e.type === "circle")).toHaveLength(0);
  });

  it("should mark NaN and ±Infinity points where the line was, also on a line of nothing else", () => {
    const marked = shapeLine(buffer([raw(0, 1), raw(1, NaN), raw(2, Infinity), raw(3, -Infinity), raw(4, 1)], 0), run, settings);
    const markers = drawn(linesSeries([line("a", marked)], false), linear).filter((e) => e.type === "polygon");
    // a diamond for NaN, a triangle up for +∞ and down for −∞, centred at (step, 1)
    expect(markers.map((m) => m.shape.points)).toEqual([
      [[7, 85], [12, 90], [7, 95], [2, 90]],
      [[9, 85], [14, 94], [4, 94]],
      [[11, 95], [16, 86], [6, 86]],
    ]);
    const nothingElse = linesSeries([line("b", shapeLine(buffer([raw(5, NaN), raw(9, NaN)], 0), run, settings))], false);
    expect(nothingElse.data).toEqual([[5, 9, NaN, NaN, 0]]);
    expect(drawn(nothingElse, linear).filter((e) => e.type === "polygon")).toHaveLength(2);
  });
});

describe("tooltipAt", () => {
  const text = (html: string) => html.replace(/<[^>]+>/g, "");
  const shape = shapeLine(buffer([raw(0, 1), raw(10, 2), raw(20, NaN), raw(30, 3)], 0), run, settings);

  it("should show each line's point nearest to the pointer, with its step and time", () => {
    const late = shapeLine(buffer([raw(12, 5), raw(18, 6)], 0), run, { ...settings, smoothing: 0.5 });
    const tip = text(tooltipAt([line("a", shape), line("b", late)], 14));
    expect(tip).toBe(`● a: 2 step 10 · ${new Date(run.start + 10_000).toLocaleTimeString()}` +
      `● b: 5 step 12 · ${new Date(run.start + 12_000).toLocaleTimeString()}`);
  });

  it("should leave out a line whose points do not reach the pointer, and show a NaN point nearest to it", () => {
    const late = shapeLine(buffer([raw(12, 5), raw(18, 6)], 0), run, settings);
    expect(text(tooltipAt([line("a", shape), line("b", late)], 21))).toMatch(/^● a: NaN step 20 · [^●]+$/);
    expect(tooltipAt([line("a", shape)], undefined)).toBe("");
  });

  it("should show values in the metric's unit", () => {
    const memory = shapeLine(buffer([raw(0, 2048), raw(1, 3 * 1024 ** 2)], 0), run, settings);
    expect(text(tooltipAt([line("a", memory)], 1, formatFor("sys/memory_used_bytes")))).toMatch(/^● a: 3 MiB step 1/);
    const option = chartOption(linesSeries([], false), settings, () => "", formatFor("sys/memory_used_bytes"));
    const axis = option.yAxis as { axisLabel: { formatter: (value: number) => string } };
    expect(axis.axisLabel.formatter(2048)).toBe("2 KiB");
  });

  it("should label the min and max of a line whose pins are shown", () => {
    expect(text(tooltipAt([line("a", shapeLine(buffer([raw(0, 1), raw(10, 2)], 0), run, pinned))], 1))).toMatch(/^● a: 1 min step 0/);
    expect(text(tooltipAt([line("a", shapeLine(buffer([raw(0, 1), raw(10, 2)], 0), run, pinned))], 9))).toMatch(/^● a: 2 max step 10/);
    expect(text(tooltipAt([line("a", shapeLine(buffer([raw(0, 1), raw(10, 2)], 0), run, settings))], 9))).toMatch(/^● a: 2 step 10/);
  });

  it("should show the smoothed value beside the raw one", () => {
    const smoothed = shapeLine(buffer([raw(0, 1), raw(1, 3)], 0), run, { ...settings, smoothing: 0.5 });
    expect(text(tooltipAt([line("a", smoothed)], 1))).toMatch(/^● a: 3 \(smoothed [\d.]+\) step 1/);
  });
});
