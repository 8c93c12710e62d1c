import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SeriesQuery, SeriesQueryVariables } from "../gql/graphql";
import type { RunInfo } from "./lineChart";
import { metricData, type MetricBatch } from "./metricData";
import { seriesKey } from "./seriesBuffer";

type Series = SeriesQuery["series"][number];

const RUNS: RunInfo[] = [
  { id: "1", name: "a", start: 0, color: "red" },
  { id: "2", name: "b", start: 0, color: "blue" },
];
const MAX_POINTS = 300;
/** Step s of these runs was logged s seconds after their start, with the value `value(s)`. */
const timeOf = (step: number) => new Date(step * 1000).toISOString();

function series(runId: string, name: string, steps: number[], value = (step: number) => step): Series {
  return {
    runId, name, split: null, downsampled: false, resolution: "raw",
    steps, times: steps.map(timeOf), values: steps.map(value), mins: steps.map(() => null), maxes: steps.map(() => null), counts: steps.map(() => 1),
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function batch(runId: string, name: string, steps: number[], gap = false): MetricBatch {
  return { runId, gap, series: [{ name, split: null, steps, times: steps.map(timeOf), values: steps }] };
}

/** A server whose `series` answers wait until the test gives them, and a panel that counts what it is told. */
function setUp(metricNames = ["loss"]) {
  const asked: { variables: SeriesQueryVariables; answer: (series: Series[]) => void; fail: (error: unknown) => void }[] = [];
  const told = { loaded: [] as string[], changed: 0, failed: [] as unknown[] };
  const data = metricData(RUNS, metricNames, () => MAX_POINTS,
    (variables) => new Promise((answer, fail) => asked.push({ variables, answer, fail })), {
      loaded: (metric) => told.loaded.push(metric),
      changed: () => told.changed++,
      failed: (error) => told.failed.push(error),
    });
  const steps = (runId: string, metric = "loss") => data.lines(metric).buffers.get(seriesKey(runId, metric, null))!.points.map((p) => p.step);
  const values = (runId: string, metric = "loss") => data.lines(metric).buffers.get(seriesKey(runId, metric, null))!.points.map((p) => p.value);
  return { data, asked, told, steps, values };
}

/** Both runs' loss at steps 0 to 99, the value the step. */
async function loaded() {
  const context = setUp();
  const load = context.data.load();
  context.asked[0].answer([series("1", "loss", range(0, 99)), series("2", "loss", range(0, 99))]);
  await load;
  context.asked.length = 0;
  context.told.loaded.length = 0;
  return context;
}

describe("metricData", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("should load each known metric with a query of its own, at the panel's points per line", async () => {
    const { data, asked, told, steps } = setUp(["loss", "accuracy"]);
    const load = data.load();
    expect(asked.map((a) => a.variables)).toEqual([
      { runIds: ["1", "2"], names: ["loss"], maxPoints: MAX_POINTS },
      { runIds: ["1", "2"], names: ["accuracy"], maxPoints: MAX_POINTS },
    ]);
    asked[1].answer([series("1", "accuracy", [0, 1])]);
    asked[0].answer([series("1", "loss", [0, 1, 2]), series("2", "loss", [0])]);
    await load;
    expect(told.loaded.sort()).toEqual(["accuracy", "loss"]);
    expect(steps("1")).toEqual([0, 1, 2]);
    expect(steps("1", "accuracy")).toEqual([0, 1]);
  });

  it("should tell no chart to draw until every metric's answer is in", async () => {
    const { data, asked, told } = setUp(["loss", "accuracy"]);
    const load = data.load();
    asked[1].answer([series("1", "accuracy", [0, 1])]);
    await vi.advanceTimersByTimeAsync(0);
    expect(told.loaded).toEqual([]);
    asked[0].answer([series("1", "loss", [0])]);
    await load;
    expect(told.loaded).toEqual(["loss", "accuracy"]);
  });

  it("should load all metrics with one query when none is known", async () => {
    const { data, asked, told } = setUp([]);
    const load = data.load();
    expect(asked.map((a) => a.variables.names)).toEqual([undefined]);
    asked[0].answer([series("1", "loss", [0]), series("1", "lr", [0])]);
    await load;
    expect(told.loaded).toEqual(["loss", "lr"]);
  });

  it("should add live points to their lines and report them changed", async () => {
    const { data, told, steps } = await loaded();
    data.append(batch("1", "loss", [100, 101]));
    expect(steps("1").slice(-3)).toEqual([99, 100, 101]);
    expect([...data.lines("loss").changed]).toEqual([seriesKey("1", "loss", null)]);
    expect(told.changed).toBe(1);
    expect(told.loaded).toEqual([]);
  });

  it("should report a metric loaded when a live point starts a new line", async () => {
    const { data, told, steps } = await loaded();
    data.append(batch("1", "lr", [5]));
    expect(told.loaded).toEqual(["lr"]);
    expect(steps("1", "lr")).toEqual([5]);
    expect(told.changed).toBe(1);
  });

  it("should fetch a zoomed step range of the chart's metric in detail", async () => {
    const { data, asked, told, steps, values } = await loaded();
    const zoom = data.zoom("loss", { start: 10, end: 20, startValue: 10.4, endValue: 19.6 }, "step");
    expect(asked.map((a) => a.variables)).toEqual([{ runIds: ["1", "2"], names: ["loss"], maxPoints: MAX_POINTS, fromStep: 10, toStep: 20 }]);
    asked[0].answer([series("1", "loss", range(10, 20), () => -1)]);
    await zoom;
    expect(steps("1")).toEqual(range(0, 99));
    expect(values("1").filter((v) => v === -1)).toHaveLength(11);
    expect(values("1")[9]).toBe(9);
    expect(values("1")[21]).toBe(21);
    expect([...data.lines("loss").changed]).toEqual([seriesKey("1", "loss", null)]);
    expect(told.changed).toBe(1);
  });

  it("should fetch the steps of the points in a zoom window over time", async () => {
    const { data, asked } = await loaded();
    void data.zoom("loss", { start: 30, end: 40, startValue: 29.5, endValue: 40.5 }, "relative");
    void data.zoom("loss", { start: 50, end: 60, startValue: 50_000, endValue: 60_000 }, "wall");
    expect(asked.map((a) => [a.variables.fromStep, a.variables.toStep])).toEqual([[30, 40], [50, 60]]);
  });

  it("should fetch nothing for a zoom window that shows everything", async () => {
    const { data, asked } = await loaded();
    await data.zoom("loss", { start: 0, end: 100, startValue: 0, endValue: 99 }, "step");
    expect(asked).toEqual([]);
  });

  it("should ignore the answer to a zoom that came after the answer to a newer one", async () => {
    const { data, asked, told, values } = await loaded();
    const first = data.zoom("loss", { start: 10, end: 20, startValue: 10, endValue: 20 }, "step");
    const second = data.zoom("loss", { start: 50, end: 60, startValue: 50, endValue: 60 }, "step");
    asked[1].answer([series("1", "loss", range(50, 60), () => -2)]);
    await second;
    asked[0].answer([series("1", "loss", range(10, 20), () => -1)]);
    await first;
    expect(values("1").filter((v) => v === -2)).toHaveLength(11);
    expect(values("1")).not.toContain(-1);
    expect(told.changed).toBe(1);
  });

  it("should fetch again the series of the runs whose batches came with a gap, keeping newer live points", async () => {
    const { data, asked, told, steps, values } = await loaded();
    // steps 100 to 104 of run 1 and 100 of run 2 were dropped; run 1's batch of 105 and run 2's of 101 say so
    data.append(batch("1", "loss", [105], true));
    data.append(batch("2", "loss", [101], true));
    expect(asked).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(asked.map((a) => a.variables)).toEqual([{ runIds: ["1", "2"], names: ["loss"], maxPoints: MAX_POINTS }]);
    data.append(batch("1", "loss", [106])); // logged after the query was answered
    asked[0].answer([series("1", "loss", range(0, 105), (step) => step * 10), series("2", "loss", range(0, 101), (step) => step * 10)]);
    await vi.runAllTimersAsync();
    expect(steps("1")).toEqual(range(0, 106));
    expect(values("1").slice(99, 102)).toEqual([990, 1000, 1010]);
    expect(steps("2")).toEqual(range(0, 101));
    expect(told.loaded).toEqual(["loss"]);
    expect(told.failed).toEqual([]);
  });

  it("should report a failed refetch after a gap", async () => {
    const { data, asked, told } = await loaded();
    data.append(batch("1", "loss", [105], true));
    vi.advanceTimersByTime(100);
    asked[0].fail(new Error("down"));
    await vi.runAllTimersAsync();
    expect(told.failed).toEqual([new Error("down")]);
  });

  it("should fetch nothing and take no answer after it is disposed", async () => {
    const { data, asked, told, steps } = await loaded();
    const zoom = data.zoom("loss", { start: 10, end: 20, startValue: 10, endValue: 20 }, "step");
    data.append(batch("1", "loss", [105], true));
    data.dispose();
    asked[0].answer([series("1", "loss", range(10, 20), () => -1)]);
    await zoom;
    await vi.runAllTimersAsync();
    expect(asked).toHaveLength(1); // no refetch after the gap
    expect(steps("1")).toEqual([...range(0, 99), 105]);
    expect(told.changed).toBe(1); // the batch's, not the zoom's
  });
});
