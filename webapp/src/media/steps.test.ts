import { describe, expect, it } from "vitest";
import { indexAtOrBefore, insertStep, neighbours, unionSteps } from "./steps";

describe("slider steps", () => {
  it("joins the runs' steps, ascending and each once", () => {
    expect(unionSteps([[0, 10, 20], [5, 10, 30], []])).toEqual([0, 5, 10, 20, 30]);
    expect(unionSteps([])).toEqual([]);
  });

  it("adds a live step in its place, once", () => {
    const steps = [0, 10, 20];
    expect(insertStep(steps, 15)).toBe(true);
    expect(insertStep(steps, 30)).toBe(true);
    expect(insertStep(steps, -5)).toBe(true);
    expect(insertStep(steps, 10)).toBe(false);
    expect(steps).toEqual([-5, 0, 10, 15, 20, 30]);
  });

  it("finds the highest step at or before a step, or the first", () => {
    const steps = [0, 10, 20];
    expect(indexAtOrBefore(steps, 10)).toBe(1);
    expect(indexAtOrBefore(steps, 19)).toBe(1);
    expect(indexAtOrBefore(steps, 100)).toBe(2);
    expect(indexAtOrBefore(steps, -1)).toBe(0);
    expect(indexAtOrBefore([], 3)).toBe(-1);
  });

  it("prepares the steps the slider moves towards, and one behind", () => {
    expect(neighbours(5, 1, 3, 10)).toEqual([6, 7, 8, 4]);
    expect(neighbours(5, -1, 3, 10)).toEqual([4, 3, 2, 6]);
    expect(neighbours(8, 1, 3, 10)).toEqual([9, 7]);
    expect(neighbours(0, -1, 3, 10)).toEqual([1]);
  });
});
