import { describe, expect, it } from "vitest";
import { groupRuns } from "../compare/groups";
import { aggregateOf } from "./groupedRows";

const run = (id: string, lr: number, losses: (number | "NaN")[]) => ({
  id, hyperparameters: { lr, seed: Number(id) }, tags: [], model: { id: "m", name: "m", project: { name: "p" } },
  summaries: losses.length ? [{ name: "loss", split: "val", last: losses[losses.length - 1], min: losses.find((l) => typeof l === "number") ?? null, max: null }] : [],
});

describe("grouped runs table", () => {
  it("should aggregate a metric column over a group's runs: mean, min and max of those with a number", () => {
    const runs = [run("1", 0.1, [0.5, 0.3]), run("2", 0.1, [0.2, 0.1]), run("3", 0.1, ["NaN"]), run("4", 0.1, [])];
    expect(aggregateOf(runs, "m:loss~val")).toEqual({ mean: 0.2, min: 0.1, max: 0.3, count: 2 });
    expect(aggregateOf(runs, "m:loss~val@min")).toEqual({ mean: 0.35, min: 0.2, max: 0.5, count: 2 });
    expect(aggregateOf(runs.slice(2), "m:loss~val")).toBeUndefined();
  });

  it("should group the rows as the compare view groups runs", () => {
    const groups = groupRuns([run("1", 0.1, []), run("2", 0.01, []), run("3", 0.1, [])], ["lr"]);
    expect(groups.map((g) => [g.label, g.runs.map((r) => r.id)])).toEqual([["lr=0.1 (2 runs)", ["1", "3"]], ["lr=0.01 (1 run)", ["2"]]]);
  });
});
