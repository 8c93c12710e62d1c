import { describe, expect, it } from "vitest";
import type { ChartSettings } from "../app/viewState";
import { echarts, type CustomSeriesOption } from "./echarts";
import { LINE_DIMENSIONS, seriesFor, shapeLine, type RunInfo } from "./lineChart";
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
    expect(shape.markers.map((m) => m.name)).toEqual(["NaN at step 19", "min 0.1 at step 19", "max 0.9 at step 9"]);
  });

  it("should draw no band for raw points and let each point be its own min and max", () => {
    const raw = (step: number, value: number): Point => ({ step, time: run.start, value, count: 1 });
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

/** Draws a band series' element as ECharts would (its shape's path into a recording context): the path's corners. */
function corners(band: CustomSeriesOption, api: { coord: (point: number[]) => number[] }): number[][] {
  const element = (band.renderItem as (params: unknown, api: unknown) => { type: string; shape: object })({}, api);
  const Shape = echarts.graphic.getShapeClass(element.type);
  const points: number[][] = [];
  const record = (x: number, y: number) => void points.push([x, y]);
  new Shape().buildPath({ moveTo: record, lineTo: record, closePath: () => undefined } as never, element.shape as never);
  return points;
}

describe("seriesFor", () => {
  it("should draw the band as one closed path, upper edge forth and lower edge back, named like its line", () => {
    const b = buffer([bucket(9, 0.5, 0.2, 0.9), bucket(19, 0.3, 0.1, 0.4)], 10);
    const [line, band] = seriesFor(b, shapeLine(b, run, settings), run, settings, 0);
    expect(band.name).toBe(line.name);
    expect(band.id).toBe(`${line.id}#band`);
    // its one item spans the band's x range, so that zooming anywhere into it keeps it
    expect(band.data).toEqual([[9, 19, NaN]]);
    expect(corners(band, { coord: ([x, y]) => [5 + x * 2, 100 - y * 10] })).toEqual([[23, 91], [43, 96], [43, 99], [23, 98]]);
  });

  it("should place the band on a log axis and leave out the corners it cannot place", () => {
    const b = buffer([bucket(9, 0.5, 0, 0.9), bucket(19, 0.3, 0.1, 0.4)], 10);
    const [, band] = seriesFor(b, shapeLine(b, run, settings), run, { ...settings, log: true }, 0);
    const points = corners(band, { coord: ([x, y]) => [x, y > 0 ? 50 - 10 * Math.log10(y) : NaN] });
    expect(points.map(([x]) => x)).toEqual([9, 19, 19]);
    expect(points.map(([, y]) => y)).toEqual([0.9, 0.4, 0.1].map((v) => expect.closeTo(50 - 10 * Math.log10(v), 9)));
  });
});
