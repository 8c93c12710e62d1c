import { describe, expect, it } from "vitest";
import { emptyTableState } from "../app/viewState";
import { defaultColumns, matchesFilter, metricColumn, metricOf, paramPaths, paramValue, parseFilter, runQueryArguments, tagList } from "./columns";

describe("parseFilter", () => {
  it("should read an operator and a value, defaulting to equals", () => {
    expect(parseFilter(">= 0.5")).toEqual({ op: "GTE", value: "0.5" });
    expect(parseFilter("!=adam")).toEqual({ op: "NE", value: "adam" });
    expect(parseFilter("  sgd ")).toEqual({ op: "EQ", value: "sgd" });
    expect(parseFilter(" > ")).toBeUndefined();
  });
});

describe("metric columns", () => {
  it("should round-trip name and split, including names with a tilde-free slash", () => {
    expect(metricOf(metricColumn("train/loss", "val"))).toEqual({ name: "train/loss", split: "val", stat: "LAST" });
    expect(metricOf(metricColumn("lr", null))).toEqual({ name: "lr", split: null, stat: "LAST" });
  });

  it("should name a series' min or max after its split, and read it back", () => {
    expect(metricColumn("loss", "val", "MIN")).toBe("m:loss~val@min");
    expect(metricOf("m:loss~val@min")).toEqual({ name: "loss", split: "val", stat: "MIN" });
    expect(metricOf("m:acc@max")).toEqual({ name: "acc", split: null, stat: "MAX" });
    expect(metricOf("m:user@host")).toEqual({ name: "user@host", split: null, stat: "LAST" });
  });

  it("should filter and sort on the stat a column shows", () => {
    const { filter, orderBy } = runQueryArguments({ ...emptyTableState(), filters: { "m:loss~val@min": "< 0.3" }, sort: { column: "m:acc~val@max", desc: true } });
    expect(filter.metrics).toEqual([{ name: "loss", split: "val", stat: "MIN", op: "LT", value: 0.3 }]);
    expect(orderBy).toEqual([{ field: "METRIC", direction: "DESC", metric: { name: "acc", split: "val", stat: "MAX" } }]);
  });
});

describe("runQueryArguments", () => {
  it("should filter by the tags typed in the tags column, each once", () => {
    expect(tagList(" a, b ,,a ")).toEqual(["a", "b"]);
    expect(runQueryArguments({ ...emptyTableState(), filters: { tags: "sweep, baseline" } }).filter.tags).toEqual(["sweep", "baseline"]);
    expect(runQueryArguments({ ...emptyTableState(), filters: { tags: " , " } }).filter.tags).toBeUndefined();
  });

  it("should turn the table state into a server-side filter and order", () => {
    const table = {
      ...emptyTableState(),
      search: "warm",
      statuses: ["FAILED" as const],
      filters: { "p:optimizer.name": "adam", "p:lr": "< 0.01", "m:loss~val": "<= 0.3", "m:acc": "> lots" },
      sort: { column: "m:loss~val", desc: true },
    };
    expect(runQueryArguments(table)).toEqual({
      filter: {
        nameContains: "warm",
        status: ["FAILED"],
        params: [{ key: "optimizer.name", op: "EQ", value: "adam" }, { key: "lr", op: "LT", value: 0.01 }],
        metrics: [{ name: "loss", split: "val", stat: "LAST", op: "LTE", value: 0.3 }],
      },
      orderBy: [{ field: "METRIC", direction: "DESC", metric: { name: "loss", split: "val", stat: "LAST" } }],
    });
  });

  it("should sort by a param path and by the fixed columns", () => {
    expect(runQueryArguments({ ...emptyTableState(), sort: { column: "p:lr", desc: false } }).orderBy).toEqual([
      { field: "PARAM", direction: "ASC", param: "lr" },
    ]);
    expect(runQueryArguments({ ...emptyTableState(), sort: { column: "created", desc: true } }).orderBy).toEqual([
      { field: "CREATED_AT", direction: "DESC" },
    ]);
    expect(runQueryArguments(emptyTableState())).toEqual({ filter: {}, orderBy: [] });
  });
});

describe("hyperparameter paths", () => {
  it("should list leaves as dotted paths and read them back", () => {
    const hp = { lr: 0.1, optimizer: { name: "adam", betas: [0.9, 0.99] } };
    expect(paramPaths(hp)).toEqual(["lr", "optimizer.name", "optimizer.betas"]);
    expect(paramValue(hp, "optimizer.name")).toBe("adam");
    expect(paramValue(hp, "missing.key")).toBeUndefined();
  });
});

describe("matchesFilter", () => {
  const run = {
    name: "Sweep-7", status: "COMPLETED" as const, hyperparameters: { lr: 0.01, optimizer: { name: "adam", betas: [0.9, 0.99] }, tag: "a" },
    tags: ["baseline", "sweep"],
    summaries: [{ name: "loss", split: "val", last: 0.25, min: 0.125, max: 2 }],
  };

  it("should compare a metric's last value, min or max as its filter asks", () => {
    expect(matchesFilter(run, { metrics: [{ name: "loss", split: "val", stat: "LAST", op: "LT", value: 0.2 }] })).toBe(false);
    expect(matchesFilter(run, { metrics: [{ name: "loss", split: "val", stat: "MIN", op: "LT", value: 0.2 }] })).toBe(true);
    expect(matchesFilter(run, { metrics: [{ name: "loss", split: "val", stat: "MAX", op: "GT", value: 1 }] })).toBe(true);
  });

  it("should match runs that carry every tag asked for", () => {
    expect(matchesFilter(run, { tags: ["sweep"] })).toBe(true);
    expect(matchesFilter(run, { tags: ["sweep", "baseline"] })).toBe(true);
    expect(matchesFilter(run, { tags: ["sweep", "other"] })).toBe(false);
  });

  it("should match a name case-insensitively, and statuses", () => {
    expect(matchesFilter(run, { nameContains: "sweep" })).toBe(true);
    expect(matchesFilter(run, { nameContains: "other" })).toBe(false);
    expect(matchesFilter(run, { status: ["RUNNING", "COMPLETED"] })).toBe(true);
    expect(matchesFilter(run, { status: ["FAILED"] })).toBe(false);
  });

  it("should compare parameters as the server does: equality by containment, order on numbers only", () => {
    expect(matchesFilter(run, { params: [{ key: "optimizer.name", op: "EQ", value: "adam" }] })).toBe(true);
    expect(matchesFilter(run, { params: [{ key: "optimizer", op: "EQ", value: { name: "adam" } }] })).toBe(true);
    expect(matchesFilter(run, { params: [{ key: "optimizer.betas", op: "EQ", value: [0.99] }] })).toBe(true);
    expect(matchesFilter(run, { params: [{ key: "optimizer.name", op: "NE", value: "adam" }] })).toBe(false);
    expect(matchesFilter(run, { params: [{ key: "missing", op: "NE", value: 1 }] })).toBe(true);
    expect(matchesFilter(run, { params: [{ key: "lr", op: "LT", value: 0.05 }] })).toBe(true);
    expect(matchesFilter(run, { params: [{ key: "lr", op: "GT", value: 0.05 }] })).toBe(false);
    expect(matchesFilter(run, { params: [{ key: "tag", op: "LT", value: 1 }] })).toBe(false);
  });

  it("should compare a metric's last value, and not match a run without it", () => {
    expect(matchesFilter(run, { metrics: [{ name: "loss", split: "val", stat: "LAST", op: "LTE", value: 0.25 }] })).toBe(true);
    expect(matchesFilter(run, { metrics: [{ name: "loss", split: "val", stat: "LAST", op: "GT", value: 0.25 }] })).toBe(false);
    expect(matchesFilter(run, { metrics: [{ name: "loss", split: "train", stat: "LAST", op: "GT", value: 0 }] })).toBe(false);
  });

  it("should agree with the arguments the table sends", () => {
    expect(matchesFilter(run, runQueryArguments({ ...emptyTableState(), search: "7", filters: { "p:lr": "0.01", "m:loss~val": "< 1" } }).filter)).toBe(true);
  });
});

describe("defaultColumns", () => {
  const run = (hyperparameters: unknown, series: string[] = []) => ({
    hyperparameters,
    summaries: series.map((key) => ({ name: key.split("~")[0], split: key.split("~")[1] ?? null, last: 1 })),
  });

  it("should pick the hyperparameters that vary, in their order, up to the limit", () => {
    const runs = [run({ lr: 1e-3, batch: 64, seed: 1, opt: { name: "adam" } }), run({ lr: 3e-4, batch: 64, seed: 2, opt: { name: "sgd" } })];
    expect(defaultColumns(runs, 4, 3).params).toEqual(["p:lr", "p:seed", "p:opt.name"]);
    expect(defaultColumns(runs, 2, 3).params).toEqual(["p:lr", "p:seed"]);
  });

  it("should show a lone run's first hyperparameters, and none that are constant across runs", () => {
    expect(defaultColumns([run({ lr: 1e-3, batch: 64, seed: 1 })], 2, 3).params).toEqual(["p:lr", "p:batch"]);
    expect(defaultColumns([run({ lr: 1e-3 }), run({ lr: 1e-3 })], 4, 3).params).toEqual([]);
  });

  it("should put evaluation splits' metrics first, across all the runs' series", () => {
    const runs = [run({}, ["loss~train", "lr"]), run({}, ["loss~val", "accuracy~test", "loss~train"])];
    expect(defaultColumns(runs, 4, 3).metrics).toEqual(["m:accuracy~test", "m:loss~val", "m:loss~train"]);
    expect(defaultColumns(runs, 4, 10).metrics).toEqual(["m:accuracy~test", "m:loss~val", "m:loss~train", "m:lr"]);
  });

  it("should put losses and accuracies before timings and rates, within evaluation splits and without", () => {
    const runs = [run({}, ["epoch_time~val", "val/top1_acc~val", "lr", "train/loss", "f1~test"])];
    expect(defaultColumns(runs, 4, 10).metrics).toEqual(["m:f1~test", "m:val/top1_acc~val", "m:epoch_time~val", "m:train/loss", "m:lr"]);
  });
});
