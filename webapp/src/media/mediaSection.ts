import { request } from "../api/graphql";
import type { RunInfo } from "../charts/lineChart";
import { MediaItemsDocument, RunMediaDocument, type MediaKind } from "../gql/graphql";
import { onReconnect, subscribe } from "../live/client";
import { errorState, h } from "../ui/dom";
import { histogramPanel } from "./histogramPanel";
import { imagePanel } from "./imagePanel";
import type { MediaPanel, PanelContext } from "./panel";
import { insertStep } from "./steps";
import { tablePanel } from "./tablePanel";
import { textPanel } from "./textPanel";

const PANELS: Record<MediaKind, (context: PanelContext) => MediaPanel> = {
  IMAGE: imagePanel,
  HISTOGRAM: histogramPanel,
  TABLE: tablePanel,
  TEXT: textPanel,
};

/**
 * The runs' media (a run page's, a compare view's): a panel per name, by its kind, in order of name, the runs side by
 * side in each. Hidden while the runs have none; live: new steps extend the panels, a new name adds its panel, and
 * after a reconnect everything is fetched again. Answers the cleanup.
 */
export function mountMediaSection(section: HTMLElement, runs: RunInfo[]): () => void {
  const controller = new AbortController();
  const runIds = runs.map((run) => run.id);
  const panels = new Map<string, { panel: MediaPanel; stepsByRun: Map<string, number[]> }>();
  const grid = h("div", { className: "media-grid" });
  section.hidden = true;
  section.replaceChildren(h("h2", {}, "Media"), grid);

  const addPanel = (name: string, kind: MediaKind, stepsByRun: Map<string, number[]>) => {
    const panel = PANELS[kind]({ name, runs, stepsByRun });
    panels.set(name, { panel, stepsByRun });
    const after = [...grid.children].find((card) => (card as HTMLElement).dataset.media! > name);
    grid.insertBefore(panel.element, after ?? null);
    section.hidden = false;
  };
  const clear = () => {
    panels.forEach(({ panel }) => panel.dispose());
    panels.clear();
    grid.replaceChildren();
  };
  const load = () => request(RunMediaDocument, { ids: runIds, first: runIds.length }, controller.signal)
    .then(({ runs: page }) => {
      clear();
      const series = new Map<string, { kind: MediaKind; stepsByRun: Map<string, number[]> }>();
      for (const { node } of page.edges)
        for (const { name, kind, steps } of node.media) {
          if (!series.has(name)) series.set(name, { kind, stepsByRun: new Map(runIds.map((id) => [id, []])) });
          series.get(name)!.stepsByRun.set(node.id, [...steps]);
        }
      [...series].sort(([a], [b]) => (a < b ? -1 : 1)).forEach(([name, { kind, stepsByRun }]) => addPanel(name, kind, stepsByRun));
    })
    .catch((error) => {
      if (controller.signal.aborted) return;
      section.hidden = false;
      grid.replaceChildren(errorState(error, load));
    });

  const unsubscribe = subscribe(MediaItemsDocument, { runIds, names: null }, ({ mediaItems: { runId, name, step, kind } }) => {
    const known = panels.get(name);
    if (!known) return addPanel(name, kind, new Map(runIds.map((id) => [id, id === runId ? [step] : []])));
    if (insertStep(known.stepsByRun.get(runId)!, step)) known.panel.logged(runId, step);
  });
  const stopReconnect = onReconnect(load);
  void load();
  return () => {
    controller.abort();
    unsubscribe();
    stopReconnect();
    clear();
  };
}
