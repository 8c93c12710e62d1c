import { describe, expect, it } from "vitest";
import { failureText } from "./status";

describe("a run's failure", () => {
  it("should read as its type and message, or its type alone", () => {
    expect(failureText({ type: "ValueError", message: "bad input" })).toBe("ValueError: bad input");
    expect(failureText({ type: "KeyboardInterrupt", message: "" })).toBe("KeyboardInterrupt");
    expect(failureText({ type: "KeyboardInterrupt", message: null })).toBe("KeyboardInterrupt");
  });
});
