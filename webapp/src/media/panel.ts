import type { RunInfo } from "../charts/lineChart";
import { errorState, h } from "../ui/dom";

/** A media panel: one name of the runs' media, by its kind. */
export interface MediaPanel {
  element: HTMLElement;
  /** An item was logged live at `step` of `runId`. */
  logged(runId: string, step: number): void;
  dispose(): void;
}

/** What a panel is made from: the name, the runs (in the view's order and colours) and each run's logged steps. */
export interface PanelContext {
  name: string;
  runs: RunInfo[];
  stepsByRun: Map<string, number[]>;
}

/**
 * Loads one at a time: a load started aborts the one before, whose answer is then dropped; a failed load shows its
 * error in `status` (until the next one succeeds). Answers the load function and a dispose.
 */
export function latestLoad(status: HTMLElement): { load: (work: (signal: AbortSignal) => Promise<void>) => Promise<void>; dispose: () => void } {
  let controller: AbortController | undefined;
  return {
    load: async (work) => {
      controller?.abort();
      const current = (controller = new AbortController());
      try {
        await work(current.signal);
        if (!current.signal.aborted) status.replaceChildren();
      } catch (error) {
        if (!current.signal.aborted) status.replaceChildren(errorState(error));
      }
    },
    dispose: () => controller?.abort(),
  };
}

/** A run's name with its colour. */
export const runLabel = (run: RunInfo) => h("span", { className: "media-run-name" }, h("span", { className: "swatch", style: `background:${run.color}` }), run.name);

/** A select of the runs, by id. */
export function runSelect(label: string, runs: RunInfo[], selected: string | undefined, change: (runId: string) => void, none?: string): HTMLSelectElement {
  const select = h("select", { "aria-label": label, onchange: () => change(select.value) },
    ...(none !== undefined ? [h("option", { value: "" }, none)] : []),
    ...runs.map((run) => h("option", { value: run.id, selected: run.id === selected }, run.name)));
  return select;
}

/** A panel's card: its name as the title, a toolbar and the body. */
export const panelCard = (name: string, kind: string, ...children: (Node | string)[]) =>
  h("article", { className: "media-card", "data-media": name, "data-kind": kind }, h("h3", {}, name), ...children);
