import { describe, expect, it } from "vitest";
import { ancestors, spanTree, visibleNodes } from "./spanTree";

const span = (spanId: string, parentSpanId?: string) => ({ spanId, parentSpanId });
const ids = (nodes: { span: { spanId: string }; depth: number }[]) => nodes.map((n) => `${n.span.spanId}@${n.depth}`);

describe("span tree", () => {
  const spans = [span("root"), span("llm", "root"), span("tool", "llm"), span("llm2", "root"), span("orphan", "missing")];

  it("should nest spans under their parents in the given order, spans without a known parent as roots", () => {
    const roots = spanTree(spans);
    expect(roots.map((r) => r.span.spanId)).toEqual(["root", "orphan"]);
    expect(ids(visibleNodes(roots, new Set()))).toEqual(["root@0", "llm@1", "tool@2", "llm2@1", "orphan@0"]);
  });

  it("should hide the descendants of collapsed spans", () => {
    expect(ids(visibleNodes(spanTree(spans), new Set(["llm"])))).toEqual(["root@0", "llm@1", "llm2@1", "orphan@0"]);
    expect(ids(visibleNodes(spanTree(spans), new Set(["root"])))).toEqual(["root@0", "orphan@0"]);
  });

  it("should break a loop of parents instead of losing its spans", () => {
    const roots = spanTree([span("a", "b"), span("b", "a"), span("c", "c")]);
    expect(ids(visibleNodes(roots, new Set())).sort()).toEqual(["a@0", "b@1", "c@0"]);
  });

  it("should list a span's ancestors, nearest first", () => {
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    expect(ancestors(byId, "tool")).toEqual(["llm", "root"]);
    expect(ancestors(byId, "orphan")).toEqual([]);
  });
});
