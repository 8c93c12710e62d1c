import { describe, expect, it } from "vitest";
import type { ChartSettings } from "../app/viewState";
import { echarts, type CustomSeriesOption } from "./echarts";
import { decorationsSeries, LINE_DIMENSIONS, shapeLine, type RunInfo } from "./lineChart";
import type { Point, SeriesBuffer } from "./seriesBuffer";

const run: RunInfo = { id: "7", name: "lr-0.1", start: Date.UTC(2026, 0, 1), color: "#4e79a7" };
const settings: ChartSettings = { x: "step", smoothing: 0, log: false };
const bucket = (step: number, value: number, min: number, max: number): Point => ({ step, time: run.start + step * 1000, value, min, max, count: 10 });
const buffer = (points: Point[], bucketWidth: number): SeriesBuffer => ({ runId: "7", name: "loss", split: "train", points, bucketWidth, maxPoints: 1000 });
/** The items of a flat typed array, `width` numbers each. */
const items = (data: Float64Array, width: number) => Array.from({ length: data.length / width }, (_, i) => Array.from(data.subarray(i * width, (i + 1) * width)));

describe("shapeLine", () => {
  it("should give every bucket of a downsampled line its min/max band, also where the line has a gap", () => {
    const shape = shapeLine(buffer([bucket(9, 0.5, 0.2, 0.9), bucket(19, NaN, 0.1, 0.4), bucket(29, 0.3, 0.3, 0.6)], 10), run, settings);
    expect(items(shape.band, 3)).toEqual([[9, 0.2, 0.9], [19, 0.1, 0.4], [29, 0.3, 0.6]]);
    // the line skips the NaN bucket (a marker shows it) and carries each bucket's min and max for the y range
    expect(items(shape.line, LINE_DIMENSIONS.length)).toEqual([
      [9, 0.5, 9, run.start + 9000, 0.5, 0.2, 0.9],
      [29, 0.3, 29, run.start + 29000, 0.3, 0.3, 0.6],
    ]);
    expect(shape.markers.map((m) => m.name)).toEqual(["NaN at step 19"]);
    expect(shape.pins).toEqual([{ kind: "min", x: 19, y: 0.1 }, { kind: "max", x: 9, y: 0.9 }]);
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
  shape: { x: number; y: number; pathData: string };
  z2: number;
}

/** The elements a chart's decorations draw for its first line, in a plot of 1000 × 1000 pixels at `left`. */
function drawn(series: CustomSeriesOption, api: { coord: (point: number[]) => number[] }, left = 0): Element[] {
  const params = { dataIndex: 0, coordSys: { x: left, y: 0, width: 1000, height: 1000 } };
  return (series.renderItem as (params: unknown, api: unknown) => { children: Element[] })(params, api).children;
}

/** The corners of a band's path, drawn as ECharts would (its shape's path into a recording context). */
function corners(band: Element): number[][] {
  const Shape = echarts.graphic.getShapeClass(band.type);
  const points: number[][] = [];
  const record = (x: number, y: number) => void points.push([x, y]);
  new Shape().buildPath({ moveTo: record, lineTo: record, closePath: () => undefined } as never, band.shape as never);
  return points;
}

const linear = { coord: ([x, y]: number[]) => [5 + x * 2, 100 - y * 10] };

describe("decorationsSeries", () => {
  it("should draw a line's band as one closed path, upper edge forth and lower edge back, under the line, and its pins over it", () => {
    const b = buffer([bucket(9, 0.5, 0.2, 0.9), bucket(19, 0.3, 0.1, 0.4)], 10);
    const series = decorationsSeries([{ name: "lr-0.1 · train", color: run.color, shape: shapeLine(b, run, settings) }], false);
    // the line's item spans its x range, so that zooming anywhere into it keeps it
    expect(series.data).toEqual([[9, 19, NaN]]);
    const [band, min, max] = drawn(series, linear);
    expect(corners(band)).toEqual([[23, 91], [43, 96], [43, 99], [23, 98]]);
    // a pin is 16 × 22 pixels, its tip on the point: below the min (19, 0.1), above the max (9, 0.9)
    expect([min.shape.x, min.shape.y]).toEqual([35, 99]);
    expect([max.shape.x, max.shape.y]).toEqual([15, 91 - 22]);
    expect(band.z2).toBeLessThan(10); // ECharts draws a line at z2 10
    expect(min.z2).toBeGreaterThan(10);
  });

  it("should place a band on a log axis, down to the bottom of the plot where it reaches 0 or below", () => {
    const b = buffer([bucket(9, 0.5, 0, 0.9), bucket(19, 0.3, 0.1, 0.4), bucket(29, 0.3, -0.5, 0.4)], 10);
    const series = decorationsSeries([{ name: "lr-0.1 · train", color: run.color, shape: shapeLine(b, run, settings) }], true);
    const [band] = drawn(series, { coord: ([x, y]) => [x, y > 0 ? 50 - 10 * Math.log10(y) : NaN] });
    const points = corners(band);
    const at = (v: number) => expect.closeTo(50 - 10 * Math.log10(v), 9);
    expect(points.map(([x]) => x)).toEqual([9, 19, 29, 29, 19, 9]);
    expect(points.map(([, y]) => y)).toEqual([at(0.9), at(0.4), at(0.4), 1000, at(0.1), 1000]);
  });

  it("should pin the min and max of raw points, and leave out a pin outside the plot", () => {
    const raw = (step: number, value: number): Point => ({ step, time: run.start, value, min: undefined, max: undefined, count: 1 });
    const shape = shapeLine(buffer([raw(0, 1), raw(10, 2)], 0), run, settings);
    const series = decorationsSeries([{ name: "lr-0.1", color: run.color, shape }], false);
    expect(drawn(series, linear).map((e) => e.shape.pathData)).toHaveLength(2);
    // zoomed so that the plot starts right of step 0 (x 5): the min's pin is out of it, the max's (x 25) in
    const [max, ...more] = drawn(series, linear, 10);
    expect(more).toHaveLength(0);
    expect(max.shape.x).toBe(25 - 8);
  });
});
