/** Boxes and class masks drawn over an image (ImageInput.overlays in the API), read defensively: it is the user's JSON. */

export interface Box {
  /** Fractions of the image's width and height. */
  x: number;
  y: number;
  width: number;
  height: number;
  label?: string;
  score?: number;
}

export interface Mask {
  /** A base64 PNG, one class id per pixel (its first channel). */
  data: string;
  classes: Record<string, string>;
}

export interface Overlays {
  boxes: Box[];
  masks: Mask[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const list = (value: unknown) => (Array.isArray(value) ? value.filter(isRecord) : []);
const finite = (...values: unknown[]) => values.every((v) => typeof v === "number" && Number.isFinite(v));

/** The well-formed boxes and masks of `json`; anything else in it is left out. */
export function parseOverlays(json: unknown): Overlays {
  const root = isRecord(json) ? json : {};
  const boxes = list(root.boxes).flatMap((b): Box[] => (finite(b.x, b.y, b.width, b.height)
    ? [{ x: b.x as number, y: b.y as number, width: b.width as number, height: b.height as number,
        label: typeof b.label === "string" ? b.label : undefined, score: finite(b.score) ? (b.score as number) : undefined }]
    : []));
  const masks = list(root.masks).flatMap((m): Mask[] => (typeof m.data === "string"
    ? [{ data: m.data, classes: isRecord(m.classes) ? Object.fromEntries(Object.entries(m.classes).map(([k, v]) => [k, String(v)])) : {} }]
    : []));
  return { boxes, masks };
}

/** Class colours of masks (class 0 is the background and stays clear). */
export const CLASS_COLORS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#fabed4", "#469990"];
export const classColor = (id: number) => CLASS_COLORS[(id - 1) % CLASS_COLORS.length];

/** A box's label as shown: "cat 0.91". */
export const boxLabel = (box: Box) => [box.label, box.score !== undefined ? box.score.toFixed(2) : undefined].filter(Boolean).join(" ");
