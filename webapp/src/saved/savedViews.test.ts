import { describe, expect, it } from "vitest";
import { savedUrl } from "./savedViews";

describe("a saved view's URL", () => {
  it("should open only paths of this dashboard", () => {
    expect(savedUrl({ url: "/compare/1,2?smoothing=0.6" })).toBe("/compare/1,2?smoothing=0.6");
    expect(savedUrl({ url: "https://elsewhere.example/" })).toBe("/");
    expect(savedUrl({ url: "//elsewhere.example/" })).toBe("/");
    expect(savedUrl({ url: 42 })).toBe("/");
    expect(savedUrl(null)).toBe("/");
  });
});
