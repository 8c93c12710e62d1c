/** How the dashboard previews a file: as text, pretty JSON, a table of CSV rows or an image; null: download only. */
export type PreviewKind = "text" | "json" | "csv" | "image";

const BY_EXTENSION: Record<string, PreviewKind> = Object.fromEntries([
  ...["txt", "md", "markdown", "rst", "log", "out", "yaml", "yml", "toml", "ini", "cfg", "conf", "env", "properties",
    "py", "sh", "r", "sql", "js", "ts", "java", "c", "h", "cpp", "go", "rs", "xml", "html", "tex", "jsonl", "ndjson"].map((e) => [e, "text"]),
  ["json", "json"],
  ["ipynb", "json"],
  ["csv", "csv"],
  ["tsv", "csv"],
  // SVG too: an <img> runs none of an SVG's scripts.
  ...["png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "ico", "svg"].map((e) => [e, "image"]),
]);

/** Files without an extension that are text by custom. */
const TEXT_NAMES = new Set(["readme", "license", "notice", "makefile", "dockerfile", "requirements", "changelog"]);

/** A file's preview kind by its name's extension (case aside). */
export function previewKind(path: string): PreviewKind | null {
  const name = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return TEXT_NAMES.has(name) ? "text" : null;
  return BY_EXTENSION[name.slice(dot + 1)] ?? null;
}

/** The delimiter of a "csv" file: tabs in .tsv. */
export const csvDelimiter = (path: string) => (path.toLowerCase().endsWith(".tsv") ? "\t" : ",");

/**
 * The first bytes of a file as text. When they are only the start (`cut`), a character split at the end is left
 * out rather than shown as "�".
 */
export const decodeText = (bytes: Uint8Array, cut: boolean) => new TextDecoder("utf-8").decode(bytes, { stream: cut });
