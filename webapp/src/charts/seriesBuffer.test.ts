import { describe, expect, it } from "vitest";
import { appendLive, bufferFromSeries, toPoints, extremes, rebucket, refetched, smooth, spliceRange, toNumber, type Point, type SeriesBuffer } from "./seriesBuffer";

const t = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
const raw = (step: number, value: number): Point => ({ step, time: Date.parse(t(step)), value, min: undefined, max: undefined, count: 1 });
const buffer = (points: Point[], bucketWidth = 0, maxPoints = 1000): SeriesBuffer => ({
  runId: "1", name: "loss", split: "train", points, bucketWidth, maxPoints,
});

describe("toNumber", () => {
  it("should turn the API's special strings into numbers", () => {
    expect(toNumber("NaN")).toBeNaN();
    expect(toNumber("Infinity")).toBe(Infinity);
    expect(toNumber("-Infinity")).toBe(-Infinity);
    expect(toNumber(0.5)).toBe(0.5);
    expect(toNumber(null)).toBeNaN();
  });
});

describe("bufferFromSeries", () => {
  it("should read the bucket width of a downsampled series and the bucket min/max", () => {
    const b = bufferFromSeries(
      { runId: "3", name: "acc", split: null, downsampled: true, resolution: "step-buckets:100",
        steps: [99], times: [t(99)], values: ["NaN"], mins: [0.1], maxes: [0.9], counts: [100] },
      500,
    );
    expect(b.bucketWidth).toBe(100);
    expect(b.points[0]).toMatchObject({ step: 99, min: 0.1, max: 0.9, count: 100 });
    expect(b.points[0].value).toBeNaN();
  });
});

describe("toPoints", () => {
  it("should read raw points sent column by column, as live batches are", () => {
    const points = toPoints({ steps: [4, 5], times: [t(4), t(5)], values: [0.5, "-Infinity"] });
    expect(points).toEqual([raw(4, 0.5), raw(5, -Infinity)]);
  });

  it("should leave out the min and max that raw points of a series lack", () => {
    const [point] = toPoints({ steps: [4], times: [t(4)], values: [0.5], mins: [null], maxes: [null], counts: [null] });
    expect(point).toEqual(raw(4, 0.5));
  });
});

describe("point shape", () => {
  it("should build raw points, buckets and merged buckets with the same fields in the same order", () => {
    // one shape for all points keeps V8's optimized code for them when live points join fetched buckets
    const [rawPoint] = toPoints({ steps: [4], times: [t(4)], values: [0.5] });
    const [bucket] = toPoints({ steps: [99], times: [t(99)], values: [0.5], mins: [0.1], maxes: [0.9], counts: [100] });
    const b = buffer([bucket], 100);
    appendLive(b, [raw(150, 0.2), raw(250, 0.3)]);
    const shapes = [rawPoint, bucket, ...b.points, ...rebucket([rawPoint, raw(5, 1)], 10)].map((p) => Object.keys(p).join());
    expect(new Set(shapes)).toEqual(new Set(["step,time,value,min,max,count"]));
  });
});

describe("appendLive", () => {
  it("should append raw points and skip ones already held", () => {
    const b = buffer([raw(0, 1), raw(1, 2)]);
    appendLive(b, [raw(1, 9), raw(2, 3)]);
    expect(b.points.map((p) => [p.step, p.value])).toEqual([[0, 1], [1, 2], [2, 3]]);
  });

  it("should insert a late raw point in step order", () => {
    const b = buffer([raw(0, 1), raw(2, 3)]);
    appendLive(b, [raw(1, 2)]);
    expect(b.points.map((p) => p.step)).toEqual([0, 1, 2]);
  });

  it("should fold a live point into the open bucket of a downsampled series", () => {
    const b = buffer([{ step: 105, time: 0, value: 0.5, min: 0.2, max: 0.8, count: 6 }], 100);
    appendLive(b, [
      raw(106, 0.1),
      raw(107, Infinity),
      raw(200, 0.3),
    ]);
    expect(b.points).toHaveLength(2);
    expect(b.points[0]).toMatchObject({ step: 107, value: Infinity, min: 0.1, max: 0.8, count: 8 });
    expect(b.points[1]).toMatchObject({ step: 200, value: 0.3, min: 0.3, max: 0.3, count: 1 });
  });

  it("should re-bucket a growing live buffer and keep its extremes", () => {
    const b = buffer([], 0, 10);
    appendLive(b, Array.from({ length: 25 }, (_, i) => raw(i, i === 7 ? -5 : i)));
    expect(b.points.length).toBeLessThanOrEqual(20);
    expect(b.bucketWidth).toBeGreaterThan(1);
    expect(b.points.reduce((n, p) => n + p.count, 0)).toBe(25);
    expect(extremes(b.points)).toEqual({ min: { step: expect.any(Number), value: -5 }, max: { step: 24, value: 24 } });
  });
});

describe("rebucket", () => {
  it("should group by step window and keep the last point as representative", () => {
    const merged = rebucket([raw(0, 5), raw(1, 1), raw(2, 3), raw(3, NaN)], 2);
    expect(merged).toHaveLength(2);
    expect(merged[0]).toMatchObject({ step: 1, value: 1, min: 1, max: 5, count: 2 });
    expect(merged[1]).toMatchObject({ step: 3, min: 3, max: 3, count: 2 });
    expect(merged[1].value).toBeNaN();
  });
});

describe("refetched", () => {
  it("should keep the live points that came after the refetch was answered", () => {
    const fresh = buffer([raw(0, 1), raw(1, 2), raw(2, 3)]);
    const merged = refetched(fresh, buffer([raw(0, 1), raw(2, 3), raw(3, 4), raw(4, 5)]));
    expect(merged.points.map((p) => p.step)).toEqual([0, 1, 2, 3, 4]);
  });

  it("should take the fetched points alone when there was nothing before", () => {
    expect(refetched(buffer([raw(0, 1)]), undefined).points.map((p) => p.step)).toEqual([0]);
  });
});

describe("spliceRange", () => {
  it("should replace the zoomed range by the detailed points", () => {
    const b = buffer([raw(0, 1), raw(10, 2), raw(20, 3), raw(30, 4)]);
    spliceRange(b, [raw(10, 7), raw(11, 8), raw(15, 9)], 10, 20);
    expect(b.points.map((p) => p.step)).toEqual([0, 10, 11, 15, 30]);
  });
});

describe("extremes", () => {
  it("should ignore NaN and ±Infinity", () => {
    const points = [raw(0, NaN), raw(1, Infinity), raw(2, 0.5), raw(3, -Infinity), raw(4, 0.2), raw(5, 0.9)];
    expect(extremes(points)).toEqual({ min: { step: 4, value: 0.2 }, max: { step: 5, value: 0.9 } });
  });

  it("should use bucket min/max rather than the representative", () => {
    expect(extremes([{ step: 99, time: 0, value: 0.5, min: 0.1, max: 0.9, count: 100 }])).toEqual({
      min: { step: 99, value: 0.1 }, max: { step: 99, value: 0.9 },
    });
  });

  it("should have no extremes when nothing is finite", () => {
    expect(extremes([raw(0, NaN), raw(1, Infinity)])).toEqual({ min: undefined, max: undefined });
  });
});

describe("smooth", () => {
  it("should leave the data alone at weight 0", () => {
    expect(smooth([1, 5, 2], 0)).toEqual([1, 5, 2]);
  });

  it("should debias so a constant stays constant from the first point", () => {
    smooth([3, 3, 3, 3], 0.9).forEach((v) => expect(v).toBeCloseTo(3, 10));
  });

  it("should lag behind a step and pass NaN through without poisoning the average", () => {
    const out = smooth([0, 0, NaN, 10, 10], 0.5);
    expect(out[2]).toBeNaN();
    expect(out[3]).toBeGreaterThan(0);
    expect(out[3]).toBeLessThan(10);
    expect(out[4]).toBeGreaterThan(out[3]);
    expect(Number.isFinite(out[4])).toBe(true);
  });
});
