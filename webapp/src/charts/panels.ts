import type { XAxisMode } from "../app/viewState";
import type { SeriesBuffer } from "./seriesBuffer";

/** The metric an x axis of `m:<name>` plots against (`m:epoch`), else undefined. */
export const xMetricOf = (x: XAxisMode): string | undefined => (x.startsWith("m:") ? x.slice(2) : undefined);

/**
 * A run's values of the x axis's metric by step, to draw its lines against: from the x metric's line of the same
 * split, else from its line without a split (`epoch` is logged once for `loss · train` and `loss · val`). Undefined
 * when the run has neither: its line is not drawn.
 */
export function xValuesOf(xLines: Iterable<SeriesBuffer>, runId: string, split: string | null): Map<number, number> | undefined {
  const ofRun = [...xLines].filter((buffer) => buffer.runId === runId);
  const buffer = ofRun.find((b) => b.split === split) ?? ofRun.find((b) => b.split === null);
  return buffer && new Map(buffer.points.filter((p) => Number.isFinite(p.value)).map((p) => [p.step, p.value]));
}

/**
 * Which charts the panel's filter shows: names that contain the text (ignoring case), or match `/regex/` (flags
 * after the closing slash). An invalid expression matches every name, and says why in `error`.
 */
export function chartFilter(text: string): { matches: (name: string) => boolean; error?: string } {
  const regex = /^\/(.*)\/([a-z]*)$/.exec(text.trim());
  if (!regex) {
    const needle = text.trim().toLowerCase();
    return { matches: (name) => name.toLowerCase().includes(needle) };
  }
  try {
    const expression = new RegExp(regex[1], regex[2]);
    return { matches: (name) => expression.test(name) };
  } catch (error) {
    return { matches: () => true, error: (error as Error).message };
  }
}

/** A chart's section: the prefix of its name before the first `/` (`train/loss` in `train`), or "" for none. */
export const sectionOf = (name: string) => (name.includes("/") ? name.slice(0, name.indexOf("/")) : "");

/** Sections in order: the charts without a prefix first, then by prefix. */
export const sectionOrder = (a: string, b: string) => (a === b ? 0 : a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1);
