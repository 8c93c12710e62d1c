import { describe, expect, it } from "vitest";
import { retryDelay } from "./client";

describe("retryDelay", () => {
  it("should back off exponentially up to 30 s", () => {
    expect(retryDelay(0, () => 1)).toBe(500);
    expect(retryDelay(3, () => 1)).toBe(4000);
    expect(retryDelay(20, () => 1)).toBe(30_000);
  });

  it("should spread reconnects with full jitter", () => {
    expect(retryDelay(3, () => 0)).toBe(0);
    expect(retryDelay(3, () => 0.5)).toBe(2000);
  });
});
