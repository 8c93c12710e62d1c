/** How a project's runs table lays its columns out, as the user left it: their order and widths in pixels. */
export interface ColumnLayout {
  order: string[];
  widths: Record<string, number>;
}

const key = (project: string) => `trackstack.columns.${project}`;
/** Narrower, a column's header would not show its sort button. */
export const MIN_WIDTH = 48;

/** The layout kept in this browser for a project (empty if none, or unreadable). */
export function loadLayout(project: string, storage: Pick<Storage, "getItem"> = localStorage): ColumnLayout {
  try {
    const saved = JSON.parse(storage.getItem(key(project)) ?? "{}") as Partial<ColumnLayout>;
    return { order: Array.isArray(saved.order) ? saved.order.filter((c) => typeof c === "string") : [], widths: typeof saved.widths === "object" && saved.widths ? saved.widths : {} };
  } catch {
    return { order: [], widths: {} };
  }
}

export const saveLayout = (project: string, layout: ColumnLayout, storage: Pick<Storage, "setItem"> = localStorage) =>
  storage.setItem(key(project), JSON.stringify(layout));

/** The columns in the saved order; those it does not name keep their place after the ones before them. */
export function orderColumns(columns: string[], order: string[]): string[] {
  const rank = new Map(order.map((column, i) => [column, i]));
  const placed = columns.filter((c) => rank.has(c)).sort((a, b) => rank.get(a)! - rank.get(b)!);
  const result: string[] = [];
  // each saved column takes the next slot of the saved columns; unsaved ones stay where they were
  let next = 0;
  for (const column of columns) result.push(rank.has(column) ? placed[next++] : column);
  return result;
}

/** The order after the column `moved` was dropped on `target`: it goes just before it (after it, moving right). */
export function moveColumn(columns: string[], moved: string, target: string): string[] {
  const from = columns.indexOf(moved);
  const to = columns.indexOf(target);
  if (from < 0 || to < 0 || from === to) return columns;
  const rest = columns.filter((c) => c !== moved);
  rest.splice(rest.indexOf(target) + (from < to ? 1 : 0), 0, moved);
  return rest;
}
