import { h } from "../ui/dom";
import type { echarts } from "./echarts";
import type { LineDash } from "./lineChart";

export interface LegendEntry {
  name: string;
  color: string;
  dash: LineDash;
}

/**
 * A chart's legend as a row of toggle buttons above it, in place of ECharts' own: a keyboard reaches them, and a
 * live redraw no longer lays out and paints 20 canvas legend entries (about a fifth of its time). They act
 * through ECharts' legend actions, so the chart (whose legend is hidden) hides lines and highlights them as before;
 * the chart's `legendselectchanged` is where `showSelected` is called.
 */
export function renderLegend(container: HTMLElement, chart: echarts.ECharts, entries: LegendEntry[], hidden: Set<string>): void {
  const toggle = (name: string) => () => chart.dispatchAction({ type: "legendToggleSelect", name });
  const highlight = (type: "highlight" | "downplay", seriesName: string) => () => chart.dispatchAction({ type, seriesName });
  // a keyboard user on an entry stays on it when the row is rebuilt (a line was added, the settings changed)
  const focused = container.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.line : undefined;
  container.replaceChildren(...entries.map(({ name, color, dash }) =>
    h("button", {
      type: "button",
      className: "legend-entry",
      "aria-pressed": String(!hidden.has(name)),
      "data-line": name,
      onclick: toggle(name),
      onmouseenter: highlight("highlight", name),
      onmouseleave: highlight("downplay", name),
      onfocus: highlight("highlight", name),
      onblur: highlight("downplay", name),
    }, h("span", { className: "line-swatch", style: `border-top-color:${color};border-top-style:${dash}` }), name)));
  if (focused !== undefined) container.querySelector<HTMLElement>(`[data-line="${CSS.escape(focused)}"]`)?.focus();
}

/** Marks the legend's buttons pressed or not, as the chart's legend selection says. */
export function showSelected(container: HTMLElement, selected: Record<string, boolean>): void {
  for (const button of container.querySelectorAll<HTMLButtonElement>("button[data-line]")) {
    button.setAttribute("aria-pressed", String(selected[button.dataset.line!] !== false));
  }
}
