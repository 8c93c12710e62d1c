/** Histograms over steps shaped for ECharts: a heatmap (steps × bins) and a ridgeline (a curve per step). */

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
  /** [step index, bin index, count], zero counts left out (a heatmap draws nothing there anyway). */
  cells: [number, number, number][];
  max: number;
}

/**
 * Steps logged with other edges (the client bins each step from its own min to max) share no bins: a step's count
 * is split among the common bins in proportion to how much of its bin each one covers.
 */
export function histogramMatrix(series: HistogramAtStep[], bins = 64): HistogramMatrix {
  if (!series.length) return { steps: [], edges: [], cells: [], max: 0 };
  const low = Math.min(...series.map((h) => h.edges[0]));
  const high = Math.max(...series.map((h) => h.edges[h.edges.length - 1]));
  // a constant series (all values equal) still gets a bin of some width
  const width = high > low ? (high - low) / bins : 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => low + i * width);
  const cells: [number, number, number][] = [];
  let max = 0;
  series.forEach(({ edges: own, counts }, x) => {
    const row = new Float64Array(bins);
    counts.forEach((count, i) => {
      const from = own[i];
      const to = own[i + 1];
      if (!count) return;
      if (to <= from) return void (row[Math.min(bins - 1, Math.floor((from - low) / width))] += count);
      const first = Math.max(0, Math.floor((from - low) / width));
      const last = Math.min(bins - 1, Math.ceil((to - low) / width) - 1);
      for (let b = first; b <= last; b++) {
        const overlap = Math.min(to, edges[b + 1]) - Math.max(from, edges[b]);
        if (overlap > 0) row[b] += (count * overlap) / (to - from);
      }
    });
    row.forEach((value, y) => {
      if (value > 0) cells.push([x, y, value]);
      max = Math.max(max, value);
    });
  });
  return { steps: series.map((h) => h.step), edges, cells, max };
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
