import { describe, expect, it } from "vitest";
import { groupRuns } from "../compare/groups";
import { aggregateOf, aggregateText } from "./groupedRows";

const run = (id: string, lr: number, losses: (number | "NaN")[]) => ({
  id, hyperparameters: { lr, seed: Number(id) }, tags: [], model: { id: "m", name: "m", project: { name: "p" } },
  summaries: losses.length ? [{ name: "loss", split: "val", last: losses[losses.length - 1], min: losses.find((l) => typeof l === "number") ?? null, max: null }] : [],
});

describe("grouped runs table", () => {
  it("should aggregate a metric column over a group's runs: mean, std, min and max of those with a number", () => {
    const runs = [run("1", 0.1, [0.5, 0.3]), run("2", 0.1, [0.2, 0.1]), run("3", 0.1, ["NaN"]), run("4", 0.1, [])];
    expect(aggregateOf(runs, "m:loss~val")).toEqual({ mean: 0.2, std: expect.closeTo(0.1, 12), min: 0.1, max: 0.3, count: 2 });
    expect(aggregateOf(runs, "m:loss~val@min")).toEqual({ mean: 0.35, std: expect.closeTo(0.15, 12), min: 0.2, max: 0.5, count: 2 });
    expect(aggregateOf(runs.slice(2), "m:loss~val")).toBeUndefined();
    // the population's std, as the charts' bands: 0 for a single run; [1, 2, 3, 4] gives √1.25
    expect(aggregateOf(runs.slice(0, 1), "m:loss~val")).toMatchObject({ mean: 0.3, std: 0 });
    expect(aggregateOf([1, 2, 3, 4].map((v) => run(String(v), 0.1, [v])), "m:loss~val")?.std).toBeCloseTo(Math.sqrt(1.25), 12);
  });

  it("should show a group's mean ± std, then its min–max; a single run's value without a spread", () => {
    expect(aggregateText({ mean: 0.2, std: Math.sqrt(0.02 / 3), min: 0.1, max: 0.3, count: 3 }))
      .toEqual({ value: "0.2 ± 0.08165", range: "0.1–0.3", title: "mean ± std of 3 runs; min 0.1, max 0.3" });
    expect(aggregateText({ mean: 0.5, std: 0, min: 0.5, max: 0.5, count: 1 })).toEqual({ value: "0.5", range: "0.5–0.5", title: "mean of 1 run; min 0.5, max 0.5" });
  });

  it("should group the rows as the compare view groups runs", () => {
    const groups = groupRuns([run("1", 0.1, []), run("2", 0.01, []), run("3", 0.1, [])], ["lr"]);
    expect(groups.map((g) => [g.label, g.runs.map((r) => r.id)])).toEqual([["lr=0.1 (2 runs)", ["1", "3"]], ["lr=0.01 (1 run)", ["2"]]]);
  });
});
