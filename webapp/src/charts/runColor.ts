/** The colours runs and groups are drawn in: Tableau 10, then D3's category 10. */
const PALETTE = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#79706e",
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
];

/** The palette's colour at an index (a compare view's groups, which have no id of their own to keep). */
export const paletteColor = (index: number) => PALETTE[index % PALETTE.length];

/**
 * A run's colour, the same in every view (runs table, charts, legends, compare, parallel coordinates) and after a
 * reload, whatever else is shown beside it. Run ids are numbers given in order, so the runs of a sweep, made one after
 * the other, get different colours (20 in a row before one repeats); any other id is hashed (FNV-1a).
 */
export function runColor(id: string): string {
  // the last 6 digits: 10^6 is a multiple of the palette's 20, so they give the whole number's remainder
  if (/^\d+$/.test(id)) return paletteColor(Number(id.slice(-6)));
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return paletteColor((hash >>> 0) % PALETTE.length);
}
