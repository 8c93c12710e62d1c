import { describe, expect, it } from "vitest";
import { heatmapPixels, histogramMatrix, rampColor, ridgelines } from "./histogramData";

describe("histogramMatrix", () => {
  it("keeps counts on shared edges as they are", () => {
    const m = histogramMatrix([{ step: 0, edges: [0, 1, 2], counts: [3, 1] }, { step: 5, edges: [0, 1, 2], counts: [0, 4] }], 2);
    expect(m.steps).toEqual([0, 5]);
    expect(m.edges).toEqual([0, 1, 2]);
    expect([...m.values]).toEqual([3, 1, 0, 4]);
    expect(m.max).toBe(4);
  });

  it("spreads a step's bins over the common bins by overlap, keeping its total", () => {
    const m = histogramMatrix([{ step: 0, edges: [0, 4], counts: [8] }, { step: 1, edges: [2, 3, 4], counts: [1, 1] }], 4);
    expect(m.edges).toEqual([0, 1, 2, 3, 4]);
    expect([...m.values]).toEqual([2, 2, 2, 2, 0, 0, 1, 1]);
  });

  it("gives a constant series a bin, and no steps an empty matrix", () => {
    expect([...histogramMatrix([{ step: 3, edges: [5, 5], counts: [7] }], 4).values]).toEqual([7, 0, 0, 0]);
    expect(histogramMatrix([]).steps).toEqual([]);
  });

  it("shapes 1,000 steps × 64 bins", () => {
    const series = Array.from({ length: 1000 }, (_, s) => ({ step: s, edges: Array.from({ length: 65 }, (_, i) => i + s / 1000), counts: Array.from({ length: 64 }, (_, i) => i + 1) }));
    const m = histogramMatrix(series, 64);
    expect(m.steps).toHaveLength(1000);
    const total = m.values.subarray(999 * 64).reduce((sum, v) => sum + v, 0);
    expect(total).toBeCloseTo((64 * 65) / 2, 6);
  });
});

describe("heatmapPixels", () => {
  it("draws a step per column and a bin per row, lowest bin at the bottom, zero clear, scaled", () => {
    const m = histogramMatrix([{ step: 0, edges: [0, 1, 2], counts: [4, 0] }, { step: 1, edges: [0, 1, 2], counts: [2, 4] }], 2);
    const { width, height, pixels } = heatmapPixels(m, 2, 1);
    expect([width, height]).toEqual([4, 2]);
    const [dark, mid] = [rampColor(1), rampColor(Math.round(0.5 * 255) / 255)];
    expect([...pixels]).toEqual([0, 0, dark, dark, dark, dark, mid, mid]);
    expect(rampColor(0).toString(16)).toBe("fff7ebde");
  });
});

describe("ridgelines", () => {
  it("chooses steps evenly, first and last kept, and scales by the highest count", () => {
    const series = Array.from({ length: 10 }, (_, s) => ({ step: s * 10, edges: [0, 2, 4], counts: [s, 1] }));
    const ridges = ridgelines(series, 4);
    expect(ridges.map((r) => r.step)).toEqual([0, 30, 60, 90]);
    expect(ridges[3].points).toEqual([[1, 1], [3, 1 / 9]]);
    expect(ridgelines(series.slice(0, 1), 4).map((r) => r.step)).toEqual([0]);
  });
});
