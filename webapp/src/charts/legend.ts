import { h } from "../ui/dom";
import type { DrawnLine } from "./lineChart";

/** A line's entry: its run's name and its split, which the legend shows once per run and per line. */
export type LegendEntry = Pick<DrawnLine, "name" | "color" | "dash"> & { run: string; split: string | null };

export interface LegendActions {
  toggle: (name: string) => void;
  /** The line to highlight: pointed at, else focused; undefined when none is. */
  focus: (name: string | undefined) => void;
}

/**
 * A chart's legend as toggle buttons above it, wrapped in rows (scrolled down past a few rows), the entries of a run
 * after its name: the run's name once, then a button per split, named in full for a screen reader. A line without a
 * split is its run's name itself. a keyboard reaches them, and the canvas has no legend to
 * lay out and paint on every live redraw. The chart keeps which lines are hidden; `showHidden` follows it. The
 * row is one tab stop, a toolbar whose arrow keys (and Home, End) move between its entries: a compare view of 20
 * runs would otherwise put 20 tab stops per chart before the next control.
 */
export function renderLegend(container: HTMLElement, entries: LegendEntry[], hidden: Set<string>, { toggle, focus }: LegendActions): void {
  const focused = () => (container.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.line : undefined);
  // Only a keyboard's focus highlights (a click leaves its button focused, which would keep the others faded).
  const keyboardFocused = () => (document.activeElement?.matches(":focus-visible") ? focused() : undefined);
  // a keyboard user on an entry stays on it when the row is rebuilt (a line was added, the settings changed)
  const kept = focused();
  const button = ({ name, color, dash, run, split }: LegendEntry) =>
    h("button", {
      type: "button",
      className: "legend-entry",
      "aria-pressed": String(!hidden.has(name)),
      "data-line": name,
      onclick: () => toggle(name),
      onmouseenter: () => focus(name),
      onmouseleave: () => focus(keyboardFocused()),
      onfocus: () => focus(keyboardFocused()),
      onblur: () => focus(undefined),
    }, h("span", { className: "line-swatch", style: `border-top-color:${color};border-top-style:${dash}` }),
    split === null ? run : h("span", { className: "visually-hidden" }, `${run} · `), split);
  const runs = new Map<string, LegendEntry[]>();
  for (const entry of entries) runs.set(entry.run, [...(runs.get(entry.run) ?? []), entry]);
  const groups = [...runs].map(([run, ofRun]) => {
    const whole = ofRun.find((entry) => entry.split === null);
    const splits = ofRun.filter((entry) => entry !== whole).map(button);
    if (!splits.length) return button(whole!);
    return h("span", { className: "legend-run" }, whole ? button(whole) : h("span", { className: "legend-run-name", "aria-hidden": "true" }, run), ...splits);
  });
  container.replaceChildren(...groups);
  const buttons = [...container.querySelectorAll<HTMLButtonElement>("button[data-line]")];
  const current = buttons.find((button) => button.dataset.line === kept);
  rove(buttons, current ?? buttons[0]);
  current?.focus();
  container.onkeydown = (event) => {
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const to = ({ ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 } as Record<string, number>)[event.key];
    if (at < 0 || to === undefined) return;
    event.preventDefault();
    const target = buttons[(to + buttons.length) % buttons.length];
    rove(buttons, target);
    target.focus();
  };
}

/** Makes `target` the row's one tab stop. */
function rove(buttons: HTMLButtonElement[], target: HTMLButtonElement | undefined): void {
  for (const button of buttons) button.tabIndex = button === target ? 0 : -1;
}

/** Marks the legend's buttons pressed or not, as the chart's hidden lines say. */
export function showHidden(container: HTMLElement, hidden: Set<string>): void {
  for (const button of container.querySelectorAll<HTMLButtonElement>("button[data-line]")) {
    button.setAttribute("aria-pressed", String(!hidden.has(button.dataset.line!)));
  }
}
