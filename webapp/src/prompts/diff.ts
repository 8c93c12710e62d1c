/** One line of a line diff: in both texts, only in the old one, or only in the new one. */
export interface DiffOp {
  kind: "same" | "removed" | "added";
  text: string;
}

/** A row of the side-by-side view: a line on the left (old), on the right (new), or both. */
export interface DiffRow {
  kind: "same" | "changed" | "removed" | "added";
  left?: { line: number; text: string };
  right?: { line: number; text: string };
}

/** Beyond this many cells of the LCS table, the middle of the texts is shown as replaced rather than aligned. */
const MAX_CELLS = 4_000_000;

/**
 * The shortest edit script between two lists of lines (a longest common subsequence), after taking off the common
 * start and end, which is where most prompt edits leave most lines.
 */
export function lineDiff(a: string[], b: string[]): DiffOp[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const same = (lines: string[]): DiffOp[] => lines.map((text) => ({ kind: "same", text }));
  const middleA = a.slice(start, endA);
  const middleB = b.slice(start, endB);
  return [...same(a.slice(0, start)), ...middle(middleA, middleB), ...same(a.slice(endA))];
}

function middle(a: string[], b: string[]): DiffOp[] {
  const removed = (text: string): DiffOp => ({ kind: "removed", text });
  const added = (text: string): DiffOp => ({ kind: "added", text });
  if ((a.length + 1) * (b.length + 1) > MAX_CELLS) return [...a.map(removed), ...b.map(added)];
  // lengths[i][j]: the LCS length of a[i..] and b[j..], in one flat array.
  const width = b.length + 1;
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lengths[i * width + j] = a[i] === b[j] ? lengths[(i + 1) * width + j + 1] + 1 : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
  const ops: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push({ kind: "same", text: a[i] });
      i++;
      j++;
    } else if (lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) ops.push(removed(a[i++]));
    else ops.push(added(b[j++]));
  }
  return [...ops, ...a.slice(i).map(removed), ...b.slice(j).map(added)];
}

/** The side-by-side rows of two texts: a run of removed lines followed by added ones pairs up as changed rows. */
export function sideBySide(oldText: string, newText: string): DiffRow[] {
  const ops = lineDiff(oldText.split("\n"), newText.split("\n"));
  const rows: DiffRow[] = [];
  let left = 0;
  let right = 0;
  for (let k = 0; k < ops.length; ) {
    if (ops[k].kind === "same") {
      rows.push({ kind: "same", left: { line: ++left, text: ops[k].text }, right: { line: ++right, text: ops[k].text } });
      k++;
      continue;
    }
    const removed: string[] = [];
    const added: string[] = [];
    for (; k < ops.length && ops[k].kind !== "same"; k++) (ops[k].kind === "removed" ? removed : added).push(ops[k].text);
    for (let n = 0; n < Math.max(removed.length, added.length); n++) {
      const l = n < removed.length ? { line: ++left, text: removed[n] } : undefined;
      const r = n < added.length ? { line: ++right, text: added[n] } : undefined;
      rows.push({ kind: l && r ? "changed" : l ? "removed" : "added", left: l, right: r });
    }
  }
  return rows;
}
