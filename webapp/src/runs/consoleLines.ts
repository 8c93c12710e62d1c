/** Pure helpers of the console panel and the system section. */

/** System metrics (CPU, memory, GPUs, ...) as the Python client names them; shown apart from the training's. */
export const isSystemMetric = (name: string) => name.startsWith("sys/");

export interface ConsoleLine {
  line: number;
  stream: "STDOUT" | "STDERR";
  time: string;
  text: string;
}

/** The lines of both lists once each, in line order: a fetch after new lines may answer lines already shown. */
export function mergeLines(shown: ConsoleLine[], arrived: ConsoleLine[]): ConsoleLine[] {
  const byNumber = new Map(shown.map((l) => [l.line, l]));
  for (const l of arrived) byNumber.set(l.line, l);
  return [...byNumber.values()].sort((a, b) => a.line - b.line);
}

/** The text cut into parts, each marked whether it matches `search` (case-insensitive), for highlighting. */
export function highlight(text: string, search: string): { text: string; match: boolean }[] {
  if (!search) return [{ text, match: false }];
  const parts: { text: string; match: boolean }[] = [];
  const lower = text.toLowerCase();
  const needle = search.toLowerCase();
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, from)) {
    if (at > from) parts.push({ text: text.slice(from, at), match: false });
    parts.push({ text: text.slice(at, at + needle.length), match: true });
    from = at + needle.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from), match: false });
  return parts;
}
