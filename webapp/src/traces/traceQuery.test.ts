import { describe, expect, it } from "vitest";
import { emptyTraceListState } from "../app/viewState";
import { showsNewestFirst, traceQuery } from "./traceQuery";

describe("trace list query", () => {
  it("should ask the server for the list's filters and sort", () => {
    const list = { statuses: ["ERROR" as const], spanTypes: ["LLM" as const], model: " gpt-4o ", session: "s1", search: "plan", sort: { field: "TOKENS" as const, desc: false } };
    expect(traceQuery({ project: "p" }, list)).toEqual({
      project: "p",
      filter: { status: ["ERROR"], spanTypes: ["LLM"], models: ["gpt-4o"], sessionId: "s1", nameContains: "plan" },
      orderBy: [{ field: "TOKENS", direction: "ASC" }],
    });
    expect(traceQuery({ runId: "4" }, emptyTraceListState())).toEqual({ runId: "4", filter: {}, orderBy: [] });
  });

  it("should place new traces at the top only of an unfiltered list, newest first", () => {
    expect(showsNewestFirst(emptyTraceListState())).toBe(true);
    expect(showsNewestFirst({ ...emptyTraceListState(), sort: { field: "START_TIME", desc: true } })).toBe(true);
    expect(showsNewestFirst({ ...emptyTraceListState(), sort: { field: "COST", desc: true } })).toBe(false);
    expect(showsNewestFirst({ ...emptyTraceListState(), statuses: ["ERROR"] })).toBe(false);
  });
});
