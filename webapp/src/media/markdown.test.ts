import { describe, expect, it } from "vitest";
import { parseInline, parseMarkdown } from "./markdown";

describe("parseMarkdown", () => {
  it("reads headings, paragraphs, lists, code and quotes", () => {
    expect(parseMarkdown("# Title\n\nfirst\nsecond\n\n- a\n- b\n1. one\n```\n<b>x</b>\n```\n> said")).toEqual([
      { kind: "heading", level: 1, children: [{ kind: "text", text: "Title" }] },
      { kind: "paragraph", children: [{ kind: "text", text: "first\nsecond" }] },
      { kind: "list", ordered: false, items: [[{ kind: "text", text: "a" }], [{ kind: "text", text: "b" }]] },
      { kind: "list", ordered: true, items: [[{ kind: "text", text: "one" }]] },
      { kind: "code", text: "<b>x</b>" },
      { kind: "quote", children: [{ kind: "text", text: "said" }] },
    ]);
  });

  it("keeps HTML as text", () => {
    expect(parseMarkdown("<img src=x onerror=alert(1)>")).toEqual([{ kind: "paragraph", children: [{ kind: "text", text: "<img src=x onerror=alert(1)>" }] }]);
  });
});

describe("parseInline", () => {
  it("reads code, bold, italic and http(s) links only", () => {
    expect(parseInline("a `x*y` **b *c* d** _e_ [e](https://e.org) [f](javascript:alert(1))")).toEqual([
      { kind: "text", text: "a " },
      { kind: "code", text: "x*y" },
      { kind: "text", text: " " },
      { kind: "strong", children: [{ kind: "text", text: "b " }, { kind: "em", children: [{ kind: "text", text: "c" }] }, { kind: "text", text: " d" }] },
      { kind: "text", text: " " },
      { kind: "em", children: [{ kind: "text", text: "e" }] },
      { kind: "text", text: " " },
      { kind: "link", href: "https://e.org", children: [{ kind: "text", text: "e" }] },
      { kind: "text", text: " [f](javascript:alert(1))" },
    ]);
  });
});
