import { describe, expect, it } from "vitest";
import { formatParam } from "../runs/columns";
import { formatNumber, plural } from "./dom";

describe("formatNumber", () => {
  it("should write small and large values in one exponent form, without trailing zeros", () => {
    expect(formatNumber(0.0005)).toBe("5e-4");
    expect(formatNumber(0.00012346)).toBe("1.235e-4");
    expect(formatNumber(123456.7)).toBe("1.235e+5");
    expect(formatNumber(-0.0003)).toBe("-3e-4");
  });

  it("should write other values out with 5 significant digits, and whole numbers in full", () => {
    expect(formatNumber(0.5)).toBe("0.5");
    expect(formatNumber(1.234567)).toBe("1.2346");
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(123456)).toBe("123456");
    expect(formatNumber(NaN)).toBe("NaN");
    expect(formatNumber(-Infinity)).toBe("−∞");
    expect(formatNumber(null)).toBe("–");
  });

  it("should be the hyperparameters' format too", () => {
    expect(formatParam(0.0005)).toBe(formatNumber(0.0005));
    expect(formatParam(32)).toBe("32");
    expect(formatParam("adam")).toBe("adam");
    expect(formatParam([1, 2])).toBe("[1,2]");
  });
});

describe("plural", () => {
  it("should add an s but for one", () => {
    expect([plural(0, "run"), plural(1, "run"), plural(2, "run")]).toEqual(["0 runs", "1 run", "2 runs"]);
  });
});
