import { describe, expect, it } from "vitest";
import { chartFilter, sectionOf, sectionOrder, xMetricOf, xValuesOf } from "./panels";
import type { SeriesBuffer } from "./seriesBuffer";
import { shapeLine } from "./lineChart";

const buffer = (runId: string, name: string, split: string | null, points: [number, number][]): SeriesBuffer => ({
  runId, name, split, bucketWidth: 0, maxPoints: 1000,
  points: points.map(([step, value]) => ({ step, time: 1000 * step, value, min: undefined, max: undefined, count: 1 })),
});

describe("the x axis of another metric", () => {
  it("should name the metric of an m: axis only", () => {
    expect(xMetricOf("m:epoch")).toBe("epoch");
    expect(xMetricOf("step")).toBeUndefined();
    expect(xMetricOf("wall")).toBeUndefined();
  });

  it("should take the run's line of the same split, else the one without a split", () => {
    const epochs = [buffer("1", "epoch", null, [[0, 0], [10, 1]]), buffer("1", "epoch", "val", [[10, 5]]), buffer("2", "epoch", null, [[0, 7]])];
    expect(xValuesOf(epochs, "1", "val")).toEqual(new Map([[10, 5]]));
    expect(xValuesOf(epochs, "1", "train")).toEqual(new Map([[0, 0], [10, 1]]));
    expect(xValuesOf(epochs, "2", null)).toEqual(new Map([[0, 7]]));
    expect(xValuesOf(epochs, "3", null)).toBeUndefined();
  });

  it("should put each point at the x metric's value of its step, leaving out points of steps it has no value at", () => {
    const run = { id: "1", name: "r", start: 0, color: "#000" };
    const loss = buffer("1", "loss", null, [[0, 3], [5, 2.5], [10, 2], [20, 1]]);
    const xAt = xValuesOf([buffer("1", "epoch", null, [[0, 0], [10, 1], [20, 2], [30, NaN]])], "1", null);
    const { line } = shapeLine(loss, run, { x: "m:epoch", smoothing: 0, log: false, pins: true, charts: "", perChart: {} }, xAt);
    const xs = Array.from({ length: line.length / 7 }, (_, i) => [line[7 * i], line[7 * i + 1], line[7 * i + 2]]);
    expect(xs).toEqual([[0, 3, 0], [1, 2, 10], [2, 1, 20]]); // [x, y, step]
    const { line: none, pins } = shapeLine(loss, run, { x: "m:epoch", smoothing: 0, log: false, pins: true, charts: "", perChart: {} }, undefined);
    expect(none.length).toBe(0);
    expect(pins).toEqual([]);
  });
});

describe("chartFilter", () => {
  it("should match a substring ignoring case, or a /regex/", () => {
    const names = ["train/loss", "val/loss", "val/accuracy", "sys/gpu_util", "lr"];
    expect(names.filter(chartFilter("LOSS").matches)).toEqual(["train/loss", "val/loss"]);
    expect(names.filter(chartFilter("").matches)).toEqual(names);
    expect(names.filter(chartFilter("/^val\\//").matches)).toEqual(["val/loss", "val/accuracy"]);
    expect(names.filter(chartFilter("/ACC|^lr$/i").matches)).toEqual(["val/accuracy", "lr"]);
  });

  it("should show every chart for an invalid expression, and say why", () => {
    const filter = chartFilter("/(/");
    expect(filter.matches("anything")).toBe(true);
    expect(filter.error).toMatch(/./);
    expect(chartFilter("(").error).toBeUndefined(); // a plain substring
  });
});

describe("sections", () => {
  it("should group charts by the prefix before the first slash, names without one first", () => {
    expect(["train/loss", "loss", "val/a/b", "sys/cpu"].map(sectionOf)).toEqual(["train", "", "val", "sys"]);
    expect(["val", "", "sys", "train"].sort(sectionOrder)).toEqual(["", "sys", "train", "val"]);
  });
});
