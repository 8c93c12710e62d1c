import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { emptyTableState, type TableState } from "../app/viewState";
import type { ProjectRunsQueryVariables, RunRowFragment } from "../gql/graphql";
import { useFakeTimersAndFrames, useRealTimersAndFrames } from "../testing/fakeFrames";
import { runsTableState, type LiveChanges, type RunEvent, type RunsPage } from "./runsTableState";

function run(id: string, change: Partial<RunRowFragment> = {}): RunRowFragment {
  return {
    id, name: `run-${id}`, kind: "TRAINING", status: "RUNNING", createdAt: "2026-01-01T00:00:00Z", finishedAt: null, failure: null, tags: [],
    hyperparameters: { lr: 0.1, batch: 32, optimizer: { name: "adam", beta: 0.9 }, seed: 1 },
    model: { id: "m1", name: "resnet", project: { name: "vision" } },
    summaries: ["loss~train", "loss~val", "accuracy~val", "lr~"].map((key) => {
      const [name, split] = key.split("~");
      return { name, split: split || null, last: 0.5, min: 0.25, max: 1 };
    }),
    ...change,
  };
}

const page = (runs: RunRowFragment[], { hasNextPage = false, endCursor = "cursor", totalCount = runs.length } = {}): RunsPage =>
  ({ totalCount, pageInfo: { hasNextPage, endCursor }, edges: runs.map((node) => ({ node })) });

const event = (type: RunEvent["type"], runId: string, row: RunRowFragment | null = run(runId)): RunEvent => ({ type, runId, run: row });

/** A server whose answers wait until the test gives them (an aborted fetch rejects, as `fetch` does), and a table that records what it is told. */
function setUp(initial: TableState = emptyTableState()) {
  const asked: { variables: ProjectRunsQueryVariables; signal: AbortSignal; answer: (page: RunsPage) => void; fail: (error: unknown) => void }[] = [];
  const reported: TableState[] = [];
  const told = { loading: 0, loaded: [] as { runs: string[]; first: boolean }[], failed: [] as { error: unknown; retry: () => void }[], live: [] as LiveChanges[] };
  const state = runsTableState("vision", initial,
    (variables, signal) => new Promise((answer, fail) => {
      asked.push({ variables, signal, answer, fail });
      signal.addEventListener("abort", () => fail(new DOMException("aborted", "AbortError")));
    }),
    (table) => reported.push(table), {
      loading: () => told.loading++,
      loaded: (runs, first) => told.loaded.push({ runs: runs.map((r) => r.id), first }),
      failed: (error, retry) => told.failed.push({ error, retry }),
      live: (changes) => told.live.push(changes),
    });
  /** Answers the latest question and lets the state take the answer. */
  const answer = async (answered: RunsPage) => {
    asked[asked.length - 1].answer(answered);
    await vi.advanceTimersByTimeAsync(0);
  };
  return { state, asked, reported, told, answer };
}

async function loaded(initial?: TableState, runs = [run("1"), run("2")]) {
  const context = setUp(initial);
  context.state.reload();
  await context.answer(page(runs));
  return context;
}

describe("runsTableState", () => {
  beforeEach(useFakeTimersAndFrames);
  afterEach(useRealTimersAndFrames);

  it("should load the first page as the table is sorted and filtered", async () => {
    const { state, asked } = setUp({ ...emptyTableState(), modelId: "m1", sort: { column: "p:lr", desc: true }, filters: { "m:loss~train": "< 0.5" } });
    expect(asked).toEqual([]);
    state.reload();
    expect(asked.map((a) => a.variables)).toEqual([{
      project: "vision", modelId: "m1", first: 50, after: undefined,
      filter: { metrics: [{ name: "loss", split: "train", stat: "LAST", op: "LT", value: 0.5 }] },
      orderBy: [{ field: "PARAM", direction: "DESC", param: "lr" }],
    }]);
  });

  it("should show the hyperparameters that vary and the validation metrics first until columns are picked, leaving them out of the URL", async () => {
    const second = run("2", { hyperparameters: { lr: 0.01, batch: 32, optimizer: { name: "adam", beta: 0.9 }, seed: 2 } });
    const { state, reported, told } = await loaded(undefined, [run("1"), second]);
    expect(state.params).toEqual(["p:lr", "p:seed"]);
    expect(state.metrics).toEqual(["m:accuracy~val", "m:loss~val", "m:loss~train"]);
    expect(reported).toEqual([]);
    expect(told.loaded).toEqual([{ runs: ["1", "2"], first: true }]);
    expect([state.totalCount, state.hasNextPage]).toEqual([2, false]);

    state.showColumn("params", "p:batch", true);
    state.showColumn("metrics", "m:loss~val", false);
    expect(state.params).toEqual(["p:lr", "p:seed", "p:batch"]);
    expect(state.metrics).toEqual(["m:accuracy~val", "m:loss~train"]);
    expect(reported.at(-1)).toMatchObject({ params: state.params, metrics: state.metrics });
  });

  it("should show the columns the URL picked", async () => {
    const { state } = await loaded({ ...emptyTableState(), params: ["p:seed"] });
    expect([state.params, state.metrics]).toEqual([["p:seed"], []]);
  });

  it("should sort by a column ascending, descending, then not at all, loading the first page again each time", async () => {
    const { state, asked, reported } = await loaded();
    for (let i = 0; i < 3; i++) {
      state.sortBy("name");
      vi.advanceTimersByTime(1);
    }
    expect(reported.map((table) => table.sort)).toEqual([{ column: "name", desc: false }, { column: "name", desc: true }, undefined]);
    expect(asked.slice(1).map((a) => a.variables.orderBy)).toEqual([
      [{ field: "NAME", direction: "ASC" }], [{ field: "NAME", direction: "DESC" }], [],
    ]);
  });

  it("should load once typing in a filter pauses, with what was typed last", async () => {
    const { state, asked, reported } = await loaded();
    state.filter("p:lr", "<");
    vi.advanceTimersByTime(200);
    state.filter("p:lr", "< 0.05");
    state.search("lr-");
    vi.advanceTimersByTime(299);
    expect(asked).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(asked.slice(1).map((a) => a.variables.filter)).toEqual([{ nameContains: "lr-", params: [{ key: "lr", op: "LT", value: 0.05 }] }]);
    expect(reported.at(-1)).toMatchObject({ search: "lr-", filters: { "p:lr": "< 0.05" } });
  });

  it("should filter by status at once", async () => {
    const { state, asked } = await loaded();
    state.showStatus("FAILED", true);
    state.showStatus("CRASHED", true);
    state.showStatus("FAILED", false);
    vi.advanceTimersByTime(1);
    expect(asked.slice(1).map((a) => a.variables.filter)).toEqual([{ status: ["CRASHED"] }]);
  });

  it("should show one status only, or all again, at once", async () => {
    const { state, asked, reported } = await loaded({ ...emptyTableState(), statuses: ["RUNNING", "FAILED"] });
    state.setStatuses(["CRASHED"]);
    await vi.advanceTimersByTimeAsync(0);
    expect(asked[asked.length - 1].variables.filter).toEqual({ status: ["CRASHED"] });
    state.setStatuses([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(asked[asked.length - 1].variables.filter).toEqual({});
    expect(reported.map((table) => table.statuses)).toEqual([["CRASHED"], []]);
  });

  it("should load every page while grouped, up to a limit, and not fetch the first again", async () => {
    const { state, asked, answer } = setUp();
    state.reload();
    state.groupBy(["lr"]); // while the first page is on its way: it is not dropped
    expect(asked).toHaveLength(1);
    await answer(page([run("1"), run("2")], { hasNextPage: true, endCursor: "c1", totalCount: 3 }));
    expect(asked).toHaveLength(2);
    expect(asked[1].variables.after).toBe("c1");
    await answer(page([run("3")], { totalCount: 3 }));
    expect([...state.runs.keys()]).toEqual(["1", "2", "3"]);
    expect(asked).toHaveLength(2);
    expect(state.table.groupBy).toEqual(["lr"]);

    // grouped after the first page: the rest at once
    const other = setUp();
    other.state.reload();
    await other.answer(page([run("1")], { hasNextPage: true, endCursor: "c1", totalCount: 2 }));
    expect(other.asked).toHaveLength(1);
    other.state.groupBy(["lr"]);
    expect(other.asked.map((a) => a.variables.after)).toEqual([undefined, "c1"]);
  });

  it("should drop a load that a newer one replaced", async () => {
    const { state, asked, told, answer } = setUp();
    state.reload();
    state.reload();
    expect(asked[0].signal.aborted).toBe(true);
    await answer(page([run("3")]));
    expect(told.failed).toEqual([]);
    expect([...state.runs.keys()]).toEqual(["3"]);
  });

  it("should add the next page by cursor, without the runs it holds already", async () => {
    const { state, asked, told, answer } = setUp();
    state.reload();
    await answer(page([run("1"), run("2")], { hasNextPage: true, endCursor: "after-2", totalCount: 3 }));
    expect(state.hasNextPage).toBe(true);
    state.loadMore();
    expect(asked[1].variables.after).toBe("after-2");
    await answer(page([run("2"), run("3")], { totalCount: 3 }));
    expect(told.loaded).toEqual([{ runs: ["1", "2"], first: true }, { runs: ["3"], first: false }]);
    expect([...state.runs.keys()]).toEqual(["1", "2", "3"]);
    expect(state.hasNextPage).toBe(false);
  });

  it("should report a failed load with a retry of the same page", async () => {
    const { state, asked, told, answer } = setUp();
    state.reload();
    await answer(page([run("1")], { hasNextPage: true, endCursor: "after-1" }));
    state.loadMore();
    asked[1].fail(new Error("down"));
    await vi.advanceTimersByTimeAsync(0);
    expect(told.failed.map((f) => f.error)).toEqual([new Error("down")]);
    told.failed[0].retry();
    expect(asked[2].variables.after).toBe("after-1");
  });

  it("should apply the live events of a frame together", async () => {
    const { state, told } = await loaded();
    state.select("2", true);
    const renamed = run("1", { name: "renamed" });
    state.receive(event("SUMMARY_CHANGED", "1"));
    state.receive(event("UPDATED", "1", renamed));
    state.receive(event("DELETED", "2", null));
    state.receive(event("CREATED", "3"));
    expect(told.live).toEqual([]);
    vi.advanceTimersByTime(16);
    expect(told.live).toEqual([{ removed: ["2"], changed: [renamed], added: [run("3")] }]);
    expect([...state.runs.keys()]).toEqual(["1", "3"]);
    expect(state.runs.get("1")).toBe(renamed);
    expect(state.totalCount).toBe(2);
    expect([...state.selected]).toEqual([]);
  });

  it("should count the new runs it cannot place while filtered, until it loads again", async () => {
    const { state, told } = await loaded({ ...emptyTableState(), statuses: ["RUNNING"] });
    state.receive(event("CREATED", "3"));
    state.receive(event("CREATED", "4"));
    vi.advanceTimersByTime(16);
    expect(told.live).toEqual([{ removed: [], changed: [], added: [] }]);
    expect([state.newRuns, state.totalCount, state.runs.size]).toEqual([2, 2, 2]);
    state.reload();
    expect(state.newRuns).toBe(0);
  });

  it("should count a new run once, and only while it matches the filters", async () => {
    const { state } = await loaded({ ...emptyTableState(), statuses: ["COMPLETED"], filters: { "p:lr": "< 0.05" } });
    const outside = run("3", { status: "COMPLETED" }); // lr 0.1
    const inside = run("4", { status: "COMPLETED", hyperparameters: { lr: 0.01 } });
    for (let i = 0; i < 5; i++) {
      state.receive(event("SUMMARY_CHANGED", "3", outside));
      state.receive(event("SUMMARY_CHANGED", "4", inside));
      vi.advanceTimersByTime(16);
    }
    expect(state.newRuns).toBe(1);
    state.receive(event("UPDATED", "4", { ...inside, status: "RUNNING" }));
    vi.advanceTimersByTime(16);
    expect(state.newRuns).toBe(0);
  });

  it("should leave out the new runs of other projects and models", async () => {
    const { state, told } = await loaded({ ...emptyTableState(), modelId: "m1" });
    state.receive(event("CREATED", "3", run("3", { model: { id: "m2", name: "other", project: { name: "vision" } } })));
    state.receive(event("CREATED", "4", run("4", { model: { id: "m1", name: "resnet", project: { name: "audio" } } })));
    state.receive(event("DELETED", "5", null)); // not shown
    vi.advanceTimersByTime(16);
    expect(told.live).toEqual([{ removed: [], changed: [], added: [] }]);
    expect([state.newRuns, state.totalCount]).toEqual([0, 2]);
  });

  it("should load and apply nothing after it is disposed", async () => {
    const { state, asked, told } = await loaded();
    state.loadMore();
    state.filter("p:lr", "> 1");
    state.receive(event("CREATED", "3"));
    state.dispose();
    await vi.runAllTimersAsync();
    expect(asked).toHaveLength(2);
    expect(asked[1].signal.aborted).toBe(true);
    expect(told.failed).toEqual([]);
    expect(told.live).toEqual([]);
  });
});
