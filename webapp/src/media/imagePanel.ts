import { request } from "../api/graphql";
import type { RunInfo } from "../charts/lineChart";
import { MediaAtStepsDocument, type MediaAtStepsQuery } from "../gql/graphql";
import { h } from "../ui/dom";
import { latestLoad, panelCard, runLabel, type MediaPanel, type PanelContext } from "./panel";
import { stepSlider } from "./stepSlider";
import { neighbours, unionSteps } from "./steps";
import { devicePx, sizedUrl } from "./renditions";
import { openZoom } from "./zoom";

type Item = MediaAtStepsQuery["mediaAtSteps"][number]["items"][number];

/** Images at a step per run, at most this many (the API's default page). */
const ITEMS_PER_RUN = 16;
/** Images narrower than this are drawn with sharp pixels when scaled up (a 28×28 digit, a small mask). */
const SMALL_IMAGE = 128;

/**
 * Steps prepared ahead of the one shown, the way the slider moves (and one behind), and kept this many steps either
 * side of it: a step's images at the cells' width are a few kilobytes each, so that a drag finds the next ones ready.
 */
const AHEAD = 3;
const KEPT = 4;
/** Steps whose items are fetched at once, from the one asked the way the slider moves, PART steps a query. */
const WINDOW = 16;
const PART = 4;

/**
 * Images: a step slider over the steps any run logged, and each run's images at that step side by side (each run
 * answers its latest step at or before it, shown with its images), captions; a click zooms. A step is shown
 * whole once its images are decoded, replacing the one before at once (`data-shown-step` says which). The steps
 * next to the one shown are fetched and decoded meanwhile, so that stepping through them or playing shows each at
 * once rather than after a round trip and 20 image loads; the items of the next WINDOW steps come in a few queries,
 * with their images at the cells' size where the server has them small (`preview`, else each image's link), so that
 * a drag costs a round trip per PART steps and no request per image.
 */
export function imagePanel({ name, runs, stepsByRun }: PanelContext): MediaPanel {
  const grid = h("div", { className: "media-runs" });
  const status = h("div");
  const loader = latestLoad(status);
  const element = panelCard(name, "IMAGE");
  const controller = new AbortController();
  const steps = unionSteps([...stepsByRun.values()]);
  /** The index shown last, and the way the slider moved to it. */
  let last = -1;
  let direction = 1;
  /** Each step's items, fetched WINDOW steps at a time. */
  const itemsAt = new Map<number, Promise<Item[]>>();
  const items = (step: number) => {
    if (!itemsAt.has(step)) {
      const at = steps.indexOf(step);
      const window = Array.from({ length: WINDOW }, (_, k) => steps[at + direction * k]).filter((s) => s !== undefined && !itemsAt.has(s));
      // the images come with the items, at the cells' size (not before the grid is laid out: its width is unknown)
      const shownPx = devicePx(cellWidth(grid));
      const previews = Number.isFinite(shownPx);
      // in short queries one after the other: the steps about to be shown come first, each part a small answer (a
      // step's previews are about 150 KB) that the page reads between drawing steps
      let before: Promise<unknown> = Promise.resolve();
      for (let from = 0; from < window.length; from += PART) {
        const part = window.slice(from, from + PART);
        const answer = before.catch(() => {}).then(() => request(MediaAtStepsDocument, { runIds: runs.map((run) => run.id), name, steps: part,
          first: ITEMS_PER_RUN, previewWidth: previews ? shownPx : 1, previews }, controller.signal))
          .then(({ mediaAtSteps }) => new Map(mediaAtSteps.map((at) => [at.step, at.items])));
        before = answer;
        for (const asked of part) {
          const answered = answer.then((byStep) => byStep.get(asked) ?? []);
          itemsAt.set(asked, answered);
          answered.catch(() => itemsAt.delete(asked));
        }
      }
    }
    return itemsAt.get(step)!;
  };
  /** A step's figures, their images decoded. */
  const prepared = new Map<number, Promise<HTMLElement[]>>();
  const prepare = (step: number) => {
    let figures = prepared.get(step);
    if (!figures) {
      figures = items(step).then(async (answered) => {
        const shownPx = devicePx(cellWidth(grid));
        const built = runs.map((run) => runFigure(run, answered.filter((item) => item.runId === run.id), step, shownPx));
        await Promise.all(built.flatMap((figure) => [...figure.querySelectorAll("img")].map((img) => img.decode().catch(() => {}))));
        return built;
      });
      prepared.set(step, figures);
      figures.catch(() => prepared.delete(step));
    }
    return figures;
  };
  const show = (step: number) => loader.load(async (signal) => {
    const at = steps.indexOf(step);
    if (at !== last) direction = at < last ? -1 : 1;
    last = at;
    const figures = prepare(step);
    for (const kept of prepared.keys()) if (Math.abs(steps.indexOf(kept) - at) > KEPT) prepared.delete(kept);
    // items far behind are dropped too (their previews are most of a panel's memory), fetched again if come back to
    for (const kept of itemsAt.keys()) if (Math.abs(steps.indexOf(kept) - at) > 2 * WINDOW) itemsAt.delete(kept);
    // The steps next to it once this one is painted: building their figures at once would delay its frame. The next
    // window's items are asked for half a window ahead, so that a drag never waits on the query.
    requestAnimationFrame(() => setTimeout(() => {
      if (signal.aborted) return;
      for (const near of neighbours(at, direction, AHEAD, steps.length)) void prepare(steps[near]);
      const further = steps[at + direction * (WINDOW / 2)];
      if (further !== undefined) void items(further).catch(() => {});
    }));
    const shown = await figures;
    if (signal.aborted) return;
    grid.replaceChildren(...shown);
    element.dataset.shownStep = String(step);
  });
  const slider = stepSlider(name, steps, show);
  element.append(slider.element, status, grid);
  return {
    element,
    logged: (_runId, step) => {
      // a new item changes what the steps from it on answer
      itemsAt.clear();
      prepared.clear();
      slider.added(step);
    },
    dispose: () => {
      slider.dispose();
      loader.dispose();
      controller.abort();
    },
  };
}

/** The CSS width of the grid's cells (its first column), else the grid's; Infinity (the originals) before layout. */
function cellWidth(grid: HTMLElement): number {
  return parseFloat(getComputedStyle(grid).gridTemplateColumns) || grid.clientWidth || Infinity;
}

/** A run's figure at a step, its images as previews or loaded at `shownPx` device pixels wide (the zoom loads the original). */
function runFigure(run: RunInfo, items: Item[], asked: number, shownPx: number): HTMLElement {
  const answered = items[0]?.step;
  return h("figure", { className: "media-run", "data-run-id": run.id },
    h("figcaption", {}, runLabel(run), answered === undefined ? h("span", { className: "muted" }, "nothing logged")
      : h("span", { className: answered === asked ? "media-answered" : "media-answered other", title: answered === asked ? "" : `Its latest step at or before ${asked}` }, `step ${answered}`)),
    ...items.flatMap(({ image, caption, step }) => (image ? [h("div", { className: "media-item" },
      h("button", { type: "button", className: "media-thumb", title: "Zoom", onclick: () => openZoom({ ...image, title: `${run.name} · step ${step}`, caption }) },
        h("img", { src: image.preview ?? sizedUrl(image.url, image.width, shownPx), width: image.width, height: image.height, alt: caption ?? `${run.name} step ${step}`, className: image.width < SMALL_IMAGE ? "pixelated" : "" })),
      caption ? h("p", { className: "media-caption" }, caption) : "")] : [])));
}
