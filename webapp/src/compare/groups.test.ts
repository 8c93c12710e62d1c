import { describe, expect, it } from "vitest";
import { bufferFromSeries } from "../charts/seriesBuffer";
import { groupByInput, groupRuns, groupSeries, keyText, parseGrouping, setGroupingQuery, type Grouping } from "./groups";

const run = (id: string, hyperparameters: unknown, tags: string[] = [], model = { id: "1", name: "resnet" }) =>
  ({ id, hyperparameters, tags, model: { ...model, project: { name: "p" } } });

const grouping = (change: Partial<Grouping> = {}): Grouping => ({ by: ["lr"], stat: "mean", band: "minmax", ...change });

describe("grouping", () => {
  it("should keep the grouping in the URL, leaving out the defaults, and read it back", () => {
    const query = new URLSearchParams();
    setGroupingQuery(query, grouping({ by: ["lr", "optimizer", "@tags"], band: "std" }));
    expect(query.toString()).toBe("group=lr%2Coptimizer%2C%40tags&band=std");
    expect(parseGrouping(query)).toEqual({ by: ["lr", "optimizer", "@tags"], stat: "mean", band: "std" });
    expect(parseGrouping(new URLSearchParams("stat=median&band=nonsense"))).toEqual({ by: [], stat: "median", band: "minmax" });
    const none = new URLSearchParams();
    setGroupingQuery(none, grouping({ by: [], stat: "median" }));
    expect(none.toString()).toBe(""); // no grouping: nothing else of it either
  });

  it("should ask the server for hyperparameters, the model and the tags apart", () => {
    expect(groupByInput(["lr", "@model", "optimizer.name", "@tags"])).toEqual({ hyperparameters: ["lr", "optimizer.name"], model: true, tags: true });
    expect(groupByInput(["lr"])).toEqual({ hyperparameters: ["lr"], model: false, tags: false });
  });

  it("should group runs by their values, label each group with them and its size, in the order of its first run", () => {
    const runs = [
      run("1", { lr: 0.001, optimizer: { name: "adam" }, seed: 1 }, ["b", "a"]),
      run("2", { lr: 0.01, optimizer: { name: "adam" }, seed: 1 }),
      run("3", { lr: 0.001, optimizer: { name: "adam" }, seed: 2 }, ["a", "b"]),
      run("4", { seed: 3 }),
    ];
    expect(groupRuns(runs, ["optimizer.name", "lr"]).map(({ label, runs }) => [label, runs.map((r) => r.id)])).toEqual([
      ["lr=0.001, optimizer.name=adam (2 runs)", ["1", "3"]],
      ["lr=0.01, optimizer.name=adam (1 run)", ["2"]],
      ["lr=null, optimizer.name=null (1 run)", ["4"]],
    ]);
    expect(groupRuns(runs, ["@model", "@tags"]).map(({ label }) => label)).toEqual(["model=resnet, tags=a+b (2 runs)", "model=resnet, tags=none (2 runs)"]);
  });

  it("should name a server's group as the run list names it, whatever the order of its key's fields and tags", () => {
    const [group] = groupRuns([run("1", { lr: 0.001, optimizer: "adam" }, ["x", "a"])], ["optimizer", "lr", "@tags"]);
    expect(keyText({ tags: ["a", "x"], hyperparameters: { optimizer: "adam", lr: 0.001 } })).toBe(group.id);
  });

  it("should draw a group's mean or median as the line, with a min–max or ± std band a chart draws as a run's", () => {
    const group = {
      key: { hyperparameters: { lr: 0.001 } }, runIds: ["1", "3"], steps: [0, 10, 20],
      mean: [2, 1, "NaN" as const], median: [2.5, 1, null], min: [1, 0.5, null], max: [3, 1.5, null], std: [1, 0.5, null], runs: [2, 2, 0],
    };
    const mean = groupSeries(group, "loss", "val", grouping());
    expect(mean).toMatchObject({ runId: "lr=0.001", name: "loss", split: "val", values: group.mean, mins: group.min, maxes: group.max, counts: [2, 2, 0] });
    const buffer = bufferFromSeries(mean, 1000);
    expect(buffer.bucketWidth).toBe(10); // a band is drawn
    expect(buffer.points.map((p) => [p.step, p.value, p.min, p.max])).toEqual([[0, 2, 1, 3], [10, 1, 0.5, 1.5], [20, NaN, undefined, undefined]]);
    const std = bufferFromSeries(groupSeries(group, "loss", null, grouping({ stat: "median", band: "std" })), 1000);
    expect(std.points.map((p) => [p.value, p.min, p.max])).toEqual([[2.5, 1, 3], [1, 0.5, 1.5], [NaN, NaN, NaN]]);
  });
});
