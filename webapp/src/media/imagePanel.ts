import { request } from "../api/graphql";
import type { RunInfo } from "../charts/lineChart";
import { MediaAtDocument, type MediaItemFieldsFragment } from "../gql/graphql";
import { h } from "../ui/dom";
import { latestLoad, panelCard, runLabel, type MediaPanel, type PanelContext } from "./panel";
import { stepSlider } from "./stepSlider";
import { unionSteps } from "./steps";
import { openZoom } from "./zoom";

/** Images at a step per run, at most this many (the API's default page). */
const ITEMS_PER_RUN = 16;
/** Images narrower than this are drawn with sharp pixels when scaled up (a 28×28 digit, a small mask). */
const SMALL_IMAGE = 128;

/**
 * Images: a step slider over the steps any run logged, and each run's images at that step side by side (each run
 * answers its latest step at or before it, shown with its images), captions; a click zooms. A step is shown
 * whole once its images are decoded, replacing the one before at once (`data-shown-step` says which).
 */
export function imagePanel({ name, runs, stepsByRun }: PanelContext): MediaPanel {
  const grid = h("div", { className: "media-runs" });
  const status = h("div");
  const loader = latestLoad(status);
  const element = panelCard(name, "IMAGE");
  const show = (step: number) => loader.load(async (signal) => {
    const { mediaAt } = await request(MediaAtDocument, { runIds: runs.map((run) => run.id), name, step, exact: false, first: ITEMS_PER_RUN }, signal);
    const figures = runs.map((run) => runFigure(run, mediaAt.filter((item) => item.runId === run.id), step));
    await Promise.all(figures.flatMap((figure) => [...figure.querySelectorAll("img")].map((img) => img.decode().catch(() => {}))));
    if (signal.aborted) return;
    grid.replaceChildren(...figures);
    element.dataset.shownStep = String(step);
  });
  const slider = stepSlider(name, unionSteps([...stepsByRun.values()]), show);
  element.append(slider.element, status, grid);
  return {
    element,
    logged: (_runId, step) => slider.added(step),
    dispose: () => {
      slider.dispose();
      loader.dispose();
    },
  };
}

function runFigure(run: RunInfo, items: MediaItemFieldsFragment[], asked: number): HTMLElement {
  const answered = items[0]?.step;
  return h("figure", { className: "media-run", "data-run-id": run.id },
    h("figcaption", {}, runLabel(run), answered === undefined ? h("span", { className: "muted" }, "nothing logged")
      : h("span", { className: answered === asked ? "media-answered" : "media-answered other", title: answered === asked ? "" : `Its latest step at or before ${asked}` }, `step ${answered}`)),
    ...items.flatMap(({ image, caption, step }) => (image ? [h("div", { className: "media-item" },
      h("button", { type: "button", className: "media-thumb", title: "Zoom", onclick: () => openZoom({ ...image, title: `${run.name} · step ${step}`, caption }) },
        h("img", { src: image.url, width: image.width, height: image.height, alt: caption ?? `${run.name} step ${step}`, className: image.width < SMALL_IMAGE ? "pixelated" : "" })),
      caption ? h("p", { className: "media-caption" }, caption) : "")] : [])));
}
