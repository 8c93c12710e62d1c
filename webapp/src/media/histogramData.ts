/** Histograms over steps shaped for drawing: a heatmap (steps × bins) and a ridgeline (a curve per step). */

export interface HistogramAtStep {
  step: number;
  edges: number[];
  counts: number[];
}

/** Steps × bins on one grid: each step's counts spread over common equal bins from the lowest edge to the highest. */
export interface HistogramMatrix {
  steps: number[];
  /** `bins + 1` edges, ascending. */
  edges: number[];
  /** The count of step x in bin y at `x * bins + y`. */
  values: Float64Array;
  max: number;
}

/**
 * Steps logged with other edges (the client bins each step from its own min to max) share no bins: a step's count
 * is split among the common bins in proportion to how much of its bin each one covers.
 */
export function histogramMatrix(series: HistogramAtStep[], bins = 64): HistogramMatrix {
  if (!series.length) return { steps: [], edges: [], values: new Float64Array(0), max: 0 };
  const low = Math.min(...series.map((h) => h.edges[0]));
  const high = Math.max(...series.map((h) => h.edges[h.edges.length - 1]));
  // a constant series (all values equal) still gets a bin of some width
  const width = high > low ? (high - low) / bins : 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => low + i * width);
  const values = new Float64Array(series.length * bins);
  series.forEach(({ edges: own, counts }, x) => {
    const row = x * bins;
    counts.forEach((count, i) => {
      const from = own[i];
      const to = own[i + 1];
      if (!count) return;
      if (to <= from) return void (values[row + Math.min(bins - 1, Math.floor((from - low) / width))] += count);
      const first = Math.max(0, Math.floor((from - low) / width));
      const last = Math.min(bins - 1, Math.ceil((to - low) / width) - 1);
      for (let b = first; b <= last; b++) {
        const overlap = Math.min(to, edges[b + 1]) - Math.max(from, edges[b]);
        if (overlap > 0) values[row + b] += (count * overlap) / (to - from);
      }
    });
  });
  return { steps: series.map((h) => h.step), edges, values, max: values.reduce((a, b) => Math.max(a, b), 0) };
}

/** Light to dark blue: the colour of a count from 0 to the highest. */
const RAMP: [number, number, number][] = [[222, 235, 247], [107, 174, 214], [8, 48, 107]];

/** A count's colour, `t` from 0 to 1, as 0xAABBGGRR (the byte order of an RGBA pixel read as a little-endian Uint32). */
export function rampColor(t: number): number {
  const at = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(at));
  const [r, g, b] = RAMP[i].map((c, k) => Math.round(c + (RAMP[i + 1][k] - c) * (at - i)));
  return (0xff000000 | (b << 16) | (g << 8) | r) >>> 0;
}

/**
 * The matrix as RGBA pixels (little-endian Uint32 words): a step per column, oldest left, a bin per row, lowest at
 * the bottom, each cell `scaleX` × `scaleY` pixels (so that a smoothed scaling blurs only cell borders), zero clear.
 */
export function heatmapPixels(m: HistogramMatrix, scaleX: number, scaleY: number): { width: number; height: number; pixels: Uint32Array<ArrayBuffer> } {
  const bins = m.edges.length - 1;
  const width = m.steps.length * scaleX;
  const height = bins * scaleY;
  const pixels = new Uint32Array(width * height);
  const palette = Array.from({ length: 256 }, (_, i) => rampColor(i / 255));
  for (let x = 0; x < m.steps.length; x++)
    for (let y = 0; y < bins; y++) {
      const value = m.values[x * bins + y];
      if (!(value > 0)) continue;
      const color = palette[Math.round((value / m.max) * 255)];
      const top = (bins - 1 - y) * scaleY;
      for (let dy = 0; dy < scaleY; dy++) pixels.fill(color, (top + dy) * width + x * scaleX, (top + dy) * width + (x + 1) * scaleX);
    }
  return { width, height, pixels };
}

/** A ridgeline's curve: a step's counts at its bins' centres, scaled to 0..1 by the highest count of all the curves. */
export interface Ridge {
  step: number;
  points: [number, number][];
}

/** At most `maxLines` steps, evenly chosen by index with the first and last kept, oldest first. */
export function ridgelines(series: HistogramAtStep[], maxLines = 24): Ridge[] {
  const count = Math.min(series.length, maxLines);
  const chosen = count < 2 ? series.slice(0, count)
    : [...new Set(Array.from({ length: count }, (_, i) => Math.round((i * (series.length - 1)) / (count - 1))))].map((i) => series[i]);
  const max = Math.max(0, ...chosen.flatMap((h) => h.counts));
  return chosen.map(({ step, edges, counts }) => ({
    step,
    points: counts.map((count, i): [number, number] => [(edges[i] + edges[i + 1]) / 2, max ? count / max : 0]),
  }));
}
