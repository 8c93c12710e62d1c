import { lineDiff, sideBySide, type DiffRow } from "../prompts/diff";

/** A piece of a changed line: in both versions, or only in this one. */
export interface WordPart {
  text: string;
  changed: boolean;
}

/** A side-by-side row with, on a changed row, each side's words marked (generated text is often one long line). */
export interface TextDiffRow extends DiffRow {
  leftParts?: WordPart[];
  rightParts?: WordPart[];
}

/** The words and the spaces between them, so that joined they give the line back. */
const words = (line: string) => line.split(/(\s+)/).filter(Boolean);

/** The line diff of two texts (as the prompts' diff), the words that differ marked within each changed row. */
export function textDiff(oldText: string, newText: string): TextDiffRow[] {
  return sideBySide(oldText, newText).map((row) => {
    if (row.kind !== "changed") return row;
    const ops = lineDiff(words(row.left!.text), words(row.right!.text));
    return {
      ...row,
      leftParts: ops.filter((op) => op.kind !== "added").map((op) => ({ text: op.text, changed: op.kind === "removed" })),
      rightParts: ops.filter((op) => op.kind !== "removed").map((op) => ({ text: op.text, changed: op.kind === "added" })),
    };
  });
}
