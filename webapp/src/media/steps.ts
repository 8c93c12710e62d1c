/** The steps of a media series across runs, for a step slider: its ticks are every step any run logged. */

/** The steps of all lists, ascending and each once. */
export function unionSteps(lists: number[][]): number[] {
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}

/** Adds a step to ascending `steps` in place (a live item); answers whether it was new. */
export function insertStep(steps: number[], step: number): boolean {
  let low = 0;
  let high = steps.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (steps[mid] < step) low = mid + 1;
    else high = mid;
  }
  if (steps[low] === step) return false;
  steps.splice(low, 0, step);
  return true;
}

/** The index of the highest step at or before `step`, or 0 (the first) when there is none; -1 for no steps. */
export function indexAtOrBefore(steps: number[], step: number): number {
  let low = 0;
  let high = steps.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (steps[mid] <= step) low = mid + 1;
    else high = mid;
  }
  return steps.length ? Math.max(0, low - 1) : -1;
}

/**
 * The indexes to prepare next to index `at` of `count`: `ahead` of them the way the slider moves (`direction` 1 or
 * -1), then one the other way, those inside the slider only.
 */
export function neighbours(at: number, direction: number, ahead: number, count: number): number[] {
  return [...Array.from({ length: ahead }, (_, k) => at + direction * (1 + k)), at - direction].filter((i) => i >= 0 && i < count);
}
