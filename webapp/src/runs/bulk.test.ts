import { describe, expect, it } from "vitest";
import { allMatching, inBatches, statusCountFilters, withTag } from "./bulk";

describe("bulk actions on runs", () => {
  it("should count each status under the table's other filters", () => {
    const filters = statusCountFilters({ nameContains: "sweep", status: ["FAILED"], tags: ["a"] });
    expect(filters.running).toEqual({ nameContains: "sweep", tags: ["a"], status: ["RUNNING"] });
    expect(Object.values(filters).map((f) => f.status)).toEqual([["RUNNING"], ["COMPLETED"], ["FAILED"], ["CRASHED"]]);
  });

  it("should fetch every matching run page by page, by cursor", async () => {
    const pages = [
      { pageInfo: { hasNextPage: true, endCursor: "c1" }, edges: [{ node: { id: "1", tags: [] } }, { node: { id: "2", tags: ["x"] } }] },
      { pageInfo: { hasNextPage: false, endCursor: "c2" }, edges: [{ node: { id: "3", tags: [] } }] },
    ];
    const asked: (string | undefined)[] = [];
    const runs = await allMatching(async (after) => {
      asked.push(after);
      return pages[asked.length - 1];
    });
    expect(runs.map((run) => run.id)).toEqual(["1", "2", "3"]);
    expect(asked).toEqual([undefined, "c1"]);
  });

  it("should add a tag once", () => {
    expect(withTag(["a"], "b")).toEqual(["a", "b"]);
    expect(withTag(["a", "b"], "a")).toEqual(["a", "b"]);
  });

  it("should run at most so many tasks at a time", async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await inBatches([1, 2, 3, 4, 5], 2, async (n) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running--;
      done.push(n);
    });
    expect(most).toBe(2);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
