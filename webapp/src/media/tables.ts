import type { TableColumnType } from "../gql/graphql";
import { formatNumber } from "../ui/dom";

/** An IMAGE cell as the server answers it. */
export interface ImageCell {
  url: string;
  width: number;
  height: number;
}

/** A NUMBER cell (non-finite values as strings, as MetricValue writes them), a TEXT or IMAGE cell, or null. */
export type Cell = number | string | ImageCell | null;

export interface MediaTable {
  columns: { name: string; type: TableColumnType }[];
  rows: Cell[][];
}

export const isImage = (cell: Cell): cell is ImageCell => typeof cell === "object" && cell !== null;

/** A NUMBER cell's value: "NaN", "Infinity" and "-Infinity" as the numbers they name. */
const numberOf = (cell: Cell) => (typeof cell === "number" ? cell : Number(cell));

/** A cell as text: for filtering, sorting TEXT columns and joining by key. */
export function cellText(cell: Cell, type: TableColumnType): string {
  if (cell === null) return "";
  if (isImage(cell)) return "";
  return type === "NUMBER" ? formatNumber(numberOf(cell)) : String(cell);
}

/**
 * Rows sorted by a column, empty cells last either way: numbers by value (NaN after the others), text by the
 * browser's collation, images in their order (they have nothing to compare by). Stable.
 */
export function sortRows(table: MediaTable, column: number, descending: boolean): Cell[][] {
  const { type } = table.columns[column];
  const key = (cell: Cell) => (type === "NUMBER" ? numberOf(cell) : cellText(cell, type));
  const compare = (a: Cell, b: Cell): number => {
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    if (type === "IMAGE") return 0;
    const [x, y] = [key(a), key(b)];
    if (typeof x === "number" && typeof y === "number") {
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? 0 : Number.isNaN(x) ? 1 : -1;
      return (descending ? -1 : 1) * (x - y);
    }
    return (descending ? -1 : 1) * String(x).localeCompare(String(y));
  };
  return [...table.rows].sort((a, b) => compare(a[column], b[column]));
}

/** The rows with a cell that contains `text` (ignoring case), as the cells are shown. */
export function filterRows(table: MediaTable, rows: Cell[][], text: string): Cell[][] {
  const wanted = text.trim().toLowerCase();
  if (!wanted) return rows;
  return rows.filter((row) => row.some((cell, i) => cellText(cell, table.columns[i].type).toLowerCase().includes(wanted)));
}

/**
 * Two tables joined by a key column both have, as one table: the key, then the other columns of each, named after
 * their table (`labels`). Rows in A's order, then B's without a match; a key repeated is paired in order of
 * occurrence (A's second "cat" with B's second "cat"), an unpaired row keeps empty cells on the other side.
 */
export function joinTables(a: MediaTable, b: MediaTable, key: string, labels: [string, string]): MediaTable {
  const keyA = a.columns.findIndex((c) => c.name === key);
  const keyB = b.columns.findIndex((c) => c.name === key);
  if (keyA < 0 || keyB < 0) throw new Error(`Both tables need the column ${key}`);
  const others = (table: MediaTable, skip: number) => table.columns.flatMap((_, i) => (i === skip ? [] : [i]));
  const [restA, restB] = [others(a, keyA), others(b, keyB)];
  const keyType = a.columns[keyA].type;
  const text = (row: Cell[], index: number, table: MediaTable) => cellText(row[index], table.columns[index].type);
  const unpaired = new Map<string, Cell[][]>();
  for (const row of b.rows) {
    const k = text(row, keyB, b);
    unpaired.set(k, [...(unpaired.get(k) ?? []), row]);
  }
  const joined = (k: Cell, rowA: Cell[] | undefined, rowB: Cell[] | undefined): Cell[] =>
    [k, ...restA.map((i) => rowA?.[i] ?? null), ...restB.map((i) => rowB?.[i] ?? null)];
  const rows = a.rows.map((rowA) => joined(rowA[keyA], rowA, unpaired.get(text(rowA, keyA, a))?.shift()));
  for (const left of unpaired.values()) for (const rowB of left) rows.push(joined(rowB[keyB], undefined, rowB));
  const named = (table: MediaTable, indexes: number[], label: string) => indexes.map((i) => ({ ...table.columns[i], name: `${label}: ${table.columns[i].name}` }));
  return { columns: [{ name: key, type: keyType }, ...named(a, restA, labels[0]), ...named(b, restB, labels[1])], rows };
}

/** The key columns two tables can be joined by: the non-image columns they both have, by name. */
export const joinKeys = (a: MediaTable, b: MediaTable) =>
  a.columns.filter((c) => c.type !== "IMAGE" && b.columns.some((d) => d.name === c.name && d.type !== "IMAGE")).map((c) => c.name);
