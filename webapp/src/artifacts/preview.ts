import { ApiError } from "../api/graphql";
import { errorState, h } from "../ui/dom";
import { parseCsv } from "./csv";
import { formatBytes } from "./format";
import { csvDelimiter, decodeText, previewKind } from "./previewKind";

/** Text, JSON and CSV previews read at most this much of a file (a Range request), however large it is. */
export const PREVIEW_BYTES = 256 * 1024;
/** Images are shown whole (the browser loads them by their URL): up to this size. */
const IMAGE_MAX_BYTES = 16 * 1024 * 1024;
const CSV_ROWS = 100;

interface PreviewedFile {
  path: string;
  size: number;
  downloadUrl: string;
}

/** The file's name, for the saved download. */
export const fileName = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/** A link that saves the file (this server's signed URL, or the S3 store's presigned one). */
export const downloadLink = (file: PreviewedFile, text = "Download") => h("a", { href: file.downloadUrl, download: fileName(file.path) }, text);

/**
 * The first `limit` bytes of a download. The Range request caps what the server sends; a server (or proxy) that
 * ignores it answers the whole file with 200, of which no more than `limit` bytes are read before the stream is
 * cancelled.
 */
export async function fetchStart(url: string, limit: number, signal: AbortSignal): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { Range: `bytes=0-${limit - 1}` }, signal });
  } catch (e) {
    if (signal.aborted) throw e;
    throw new ApiError("The server is not reachable", "NETWORK");
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { errors?: { message: string; extensions?: { code?: string } }[] };
    const error = body.errors?.[0];
    throw new ApiError(error?.message ?? `The download answered ${response.status}`, error?.extensions?.code ?? `HTTP_${response.status}`);
  }
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
  }
  await reader.cancel();
  const bytes = new Uint8Array(Math.min(length, limit));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk.subarray(0, bytes.length - offset), offset);
    offset += chunk.length;
    if (offset >= bytes.length) break;
  }
  return bytes;
}

/** A CSV file's first rows as a table, the first row as its header. */
function csvTable(text: string, delimiter: string, cut: boolean): (HTMLElement | string)[] {
  const { rows, more } = parseCsv(text, CSV_ROWS + 1, { delimiter, complete: !cut });
  if (!rows.length) return [h("p", { className: "muted" }, "No rows.")];
  const [header, ...body] = rows;
  const width = Math.max(...rows.map((r) => r.length));
  const cells = (row: string[], tag: "th" | "td") => Array.from({ length: width }, (_, i) => h(tag, tag === "th" ? { scope: "col" } : {}, row[i] ?? ""));
  return [
    h("div", { className: "table-scroll csv-preview" }, h("table", { className: "runs" },
      h("thead", {}, h("tr", {}, ...cells(header, "th"))),
      h("tbody", {}, ...body.map((row) => h("tr", {}, ...cells(row, "td")))))),
    more ? h("p", { className: "muted" }, `The first ${body.length} rows.`) : "",
  ];
}

/** A file's text as JSON, pretty printed; as it is when it was cut or is not JSON, saying so. */
function jsonText(text: string, cut: boolean): HTMLElement[] {
  if (cut) return [h("p", { className: "muted" }, "Cut, so not pretty printed:"), h("pre", { className: "artifact-preview" }, text)];
  try {
    return [h("pre", { className: "artifact-preview json" }, JSON.stringify(JSON.parse(text), null, 2))];
  } catch (e) {
    return [h("p", { className: "muted" }, `Not valid JSON (${(e as Error).message}), shown as text:`), h("pre", { className: "artifact-preview" }, text)];
  }
}

/**
 * The preview of a file: text, pretty JSON, a table of a CSV's first rows, or an image. The content is only ever
 * set as text or as an image's URL, never parsed as HTML. Answers the element, which fills in when the bytes come.
 */
export function filePreview(file: PreviewedFile, signal: AbortSignal): HTMLElement {
  const kind = previewKind(file.path);
  const body = h("div", { className: "preview-body" });
  const section = h("section", { className: "preview", "aria-label": "Preview" },
    h("h2", {}, "Preview of ", h("code", {}, file.path)),
    h("p", { className: "muted" }, formatBytes(file.size), " · ", downloadLink(file)),
    body);
  const say = (text: string) => body.replaceChildren(h("p", { className: "state" }, text));
  if (!kind) {
    say("No preview for this kind of file: download it.");
    return section;
  }
  // The dashboard's Content-Security-Policy allows fetches and images from this server only: an S3 store's
  // presigned URL is another origin.
  if (new URL(file.downloadUrl, location.href).origin !== location.origin) {
    say("Previews need downloads from this server; this file is served by the object store: download it.");
    return section;
  }
  if (kind === "image") {
    if (file.size > IMAGE_MAX_BYTES) say(`Too large to preview (over ${formatBytes(IMAGE_MAX_BYTES)}): download it.`);
    else {
      const image = h("img", { src: file.downloadUrl, alt: file.path, className: "image-preview" });
      image.addEventListener("error", () => say("This image cannot be shown."));
      body.append(image);
    }
    return section;
  }
  if (file.size === 0) {
    say("An empty file.");
    return section;
  }
  const cut = file.size > PREVIEW_BYTES;
  body.append(h("p", { className: "state loading", role: "status" }, "Loading…"));
  fetchStart(file.downloadUrl, Math.min(file.size, PREVIEW_BYTES), signal)
    .then((bytes) => {
      const text = decodeText(bytes, cut);
      const content = kind === "csv" ? csvTable(text, csvDelimiter(file.path), cut)
        : kind === "json" ? jsonText(text, cut)
        : [h("pre", { className: "artifact-preview" }, text)];
      body.replaceChildren(...content, cut ? h("p", { className: "muted" }, `The first ${formatBytes(PREVIEW_BYTES)} of ${formatBytes(file.size)}.`) : "");
    })
    .catch((error) => signal.aborted || body.replaceChildren(errorState(error)));
  return section;
}
