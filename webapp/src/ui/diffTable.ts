import type { DiffRow } from "../prompts/diff";
import { h } from "./dom";

/** A changed line's pieces, the changed ones marked (textDiff's word marks). */
type Parts = { text: string; changed: boolean }[];

/**
 * Two texts side by side as sideBySide shapes them: line numbers, removed lines on the left, added ones on the right,
 * and on a changed row its changed words marked when the row has them (`leftParts`, `rightParts`).
 */
export function diffTable(headers: [string, string], rows: (DiffRow & { leftParts?: Parts; rightParts?: Parts })[]): HTMLElement {
  const cell = (side: { line: number; text: string } | undefined, parts: Parts | undefined, kind: string) => [
    h("td", { className: "diff-line-no" }, side ? side.line : ""),
    h("td", { className: `diff-text ${side ? kind : "diff-empty"}` },
      ...(parts ? parts.map((part) => (part.changed ? h("mark", {}, part.text) : part.text)) : [side?.text ?? ""])),
  ];
  return h("div", { className: "table-scroll" }, h("table", { className: "diff" },
    h("colgroup", {}, h("col", { className: "diff-line-no" }), h("col"), h("col", { className: "diff-line-no" }), h("col")),
    h("thead", {}, h("tr", {}, h("th", { colSpan: 2, scope: "col" }, headers[0]), h("th", { colSpan: 2, scope: "col" }, headers[1]))),
    h("tbody", {}, ...rows.map((row) => h("tr", { className: `diff-${row.kind}` },
      ...cell(row.left, row.leftParts, row.kind === "same" ? "" : "diff-old"),
      ...cell(row.right, row.rightParts, row.kind === "same" ? "" : "diff-new"))))));
}
