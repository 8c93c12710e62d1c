import { describe, expect, it } from "vitest";
import { bestColumn, bestOrder, byMax, otherExtreme } from "./bestRuns";

describe("best runs", () => {
  it("should rank a loss by its min and an accuracy by its max", () => {
    expect(bestColumn("m:loss~val")).toBe("m:loss~val@min");
    expect(bestColumn("m:val/accuracy")).toBe("m:val/accuracy@max");
    expect(bestColumn("m:f1~test")).toBe("m:f1~test@max");
    expect(bestColumn("m:error_rate")).toBe("m:error_rate@min");
  });

  it("should order the lowest min or the highest max first, by the server's summary", () => {
    expect(bestOrder("m:loss~val@min")).toEqual([{ field: "METRIC", direction: "ASC", metric: { name: "loss", split: "val", stat: "MIN" } }]);
    expect(bestOrder("m:acc@max")).toEqual([{ field: "METRIC", direction: "DESC", metric: { name: "acc", split: null, stat: "MAX" } }]);
    expect(byMax("m:acc@max")).toBe(true);
  });

  it("should switch between a metric's min and max", () => {
    expect(otherExtreme("m:loss~val@min")).toBe("m:loss~val@max");
    expect(otherExtreme("m:acc@max")).toBe("m:acc@min");
  });
});
