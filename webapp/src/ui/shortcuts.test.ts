import { describe, expect, it } from "vitest";
import { isTyping, matchKey } from "./shortcuts";

const shortcuts = [{ keys: "?" }, { keys: "l" }, { keys: "g p" }, { keys: "g r" }];

describe("matchKey", () => {
  it("should match a single key, and a sequence once its last key comes", () => {
    expect(matchKey([], "l", shortcuts)).toEqual({ matched: "l", pending: [] });
    expect(matchKey([], "g", shortcuts)).toEqual({ pending: ["g"] });
    expect(matchKey(["g"], "p", shortcuts)).toEqual({ matched: "g p", pending: [] });
  });

  it("should start over with a key that does not continue the sequence, and ignore keys of no shortcut", () => {
    expect(matchKey(["g"], "l", shortcuts)).toEqual({ matched: "l", pending: [] });
    expect(matchKey(["g"], "g", shortcuts)).toEqual({ pending: ["g"] });
    expect(matchKey(["g"], "x", shortcuts)).toEqual({ pending: [] });
    expect(matchKey([], "Shift", shortcuts)).toEqual({ pending: [] });
  });
});

describe("isTyping", () => {
  it("should leave keys typed into text fields to them, not those on a checkbox or a slider", () => {
    expect(isTyping({ tagName: "INPUT", type: "search" })).toBe(true);
    expect(isTyping({ tagName: "TEXTAREA" })).toBe(true);
    expect(isTyping({ tagName: "DIV", isContentEditable: true })).toBe(true);
    expect(isTyping({ tagName: "INPUT", type: "checkbox" })).toBe(false);
    expect(isTyping({ tagName: "BUTTON" })).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});
