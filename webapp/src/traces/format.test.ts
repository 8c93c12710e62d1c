import { describe, expect, it } from "vitest";
import { formatCost, formatNanos, formatTokens, isoMicros } from "./format";

describe("trace formats", () => {
  it("should keep the microseconds of an ISO time", () => {
    expect(isoMicros("2026-12-03T10:00:00.123456Z") - isoMicros("2026-12-03T10:00:00Z")).toBe(123_456);
    expect(isoMicros("2026-12-03T10:00:01.5Z") - isoMicros("2026-12-03T10:00:00Z")).toBe(1_500_000);
  });

  it("should show durations in the unit that fits", () => {
    expect(formatNanos(850)).toBe("0.85 µs");
    expect(formatNanos(12_345_678)).toBe("12.3 ms");
    expect(formatNanos(1_520_000_000)).toBe("1.52 s");
    expect(formatNanos(125e9)).toBe("2m 5s");
  });

  it("should show costs in dollars and tokens with separators", () => {
    expect(formatCost(1.234)).toBe("$1.23");
    expect(formatCost(0.000123)).toBe("$0.00012");
    expect(formatCost(null)).toBe("–");
    expect(formatTokens(12345)).toBe("12,345");
  });
});
