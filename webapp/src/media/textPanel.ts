import { request } from "../api/graphql";
import { MediaAtDocument, type MediaItemFieldsFragment } from "../gql/graphql";
import { h } from "../ui/dom";
import { diffTable } from "../ui/diffTable";
import { parseMarkdown, type Block, type Inline } from "./markdown";
import { latestLoad, panelCard, runLabel, runSelect, type MediaPanel, type PanelContext } from "./panel";
import { stepSlider } from "./stepSlider";
import { unionSteps } from "./steps";
import { textDiff } from "./textDiff";

/**
 * Text: a step slider and each run's text at that step side by side (Markdown rendered by a minimal reader, as text
 * nodes only), and the diff of a run's text between two of its steps, the changed words marked.
 */
export function textPanel({ name, runs, stepsByRun }: PanelContext): MediaPanel {
  const element = panelCard(name, "TEXT");
  const status = h("div");
  const columns = h("div", { className: "media-texts" });
  const loader = latestLoad(status);
  const show = (step: number) => loader.load(async (signal) => {
    const { mediaAt } = await request(MediaAtDocument, { runIds: runs.map((run) => run.id), name, step, exact: false, first: 1 }, signal);
    columns.replaceChildren(...runs.map((run) => {
      const item = mediaAt.find((i) => i.runId === run.id);
      return h("div", { className: "media-text", "data-run-id": run.id },
        h("div", { className: "media-text-head" }, runLabel(run), item ? h("span", { className: "media-answered" }, `step ${item.step}`) : h("span", { className: "muted" }, "nothing logged")),
        item?.text ? renderText(item.text) : "");
    }));
    element.dataset.shownStep = String(step);
  });
  const slider = stepSlider(name, unionSteps([...stepsByRun.values()]), show);
  const diff = diffSection(name, runs, stepsByRun);
  element.append(slider.element, status, columns, diff.element);
  return {
    element,
    logged: (runId, step) => {
      slider.added(step);
      diff.logged(runId, step);
    },
    dispose: () => {
      slider.dispose();
      loader.dispose();
      diff.dispose();
    },
  };
}

/** A run's text between two of its steps: the last two logged to start with. */
function diffSection(name: string, runs: PanelContext["runs"], stepsByRun: Map<string, number[]>) {
  const status = h("div");
  const result = h("div");
  const loader = latestLoad(status);
  let runId = runs.find((run) => (stepsByRun.get(run.id)?.length ?? 0) > 1)?.id ?? runs[0].id;
  const from = h("select", { "aria-label": "Diff from step", onchange: () => compare() });
  const to = h("select", { "aria-label": "Diff to step", onchange: () => compare() });
  const fillSteps = () => {
    const steps = stepsByRun.get(runId) ?? [];
    const options = (selected: number | undefined) => steps.map((step) => h("option", { value: step, selected: step === selected }, `step ${step}`));
    from.replaceChildren(...options(steps.at(-2) ?? steps[0]));
    to.replaceChildren(...options(steps.at(-1)));
  };
  const compare = () => loader.load(async (signal) => {
    if (!from.value || !to.value) return void result.replaceChildren();
    const at = (step: string) => request(MediaAtDocument, { runIds: [runId], name, step: Number(step), exact: true, first: 1 }, signal)
      .then(({ mediaAt }) => mediaAt[0]?.text?.content ?? "");
    const [a, b] = await Promise.all([at(from.value), at(to.value)]);
    result.replaceChildren(diffTable([`step ${from.value}`, `step ${to.value}`], textDiff(a, b)));
  });
  const details = h("details", { className: "media-diff" }, h("summary", {}, "Diff between two steps"),
    h("div", { className: "toolbar" }, runs.length > 1 ? runSelect("Diff run", runs, runId, (id) => {
      runId = id;
      fillSteps();
      void compare();
    }) : "", from, " → ", to), status, result);
  // fetched when opened, not with the panel
  details.addEventListener("toggle", () => details.open && compare());
  fillSteps();
  return {
    element: details,
    logged: (loggedRun: string, _step: number) => {
      // the panel's steps are shared: the lists already hold the step
      if (loggedRun === runId) {
        const [fromStep, toStep] = [from.value, to.value];
        fillSteps();
        if (fromStep) from.value = fromStep;
        if (toStep) to.value = toStep;
      }
    },
    dispose: loader.dispose,
  };
}

/** A text item as elements: Markdown read by parseMarkdown, plain text as it is. Only ever text nodes of the user's text. */
export function renderText(text: NonNullable<MediaItemFieldsFragment["text"]>): HTMLElement {
  if (text.format === "PLAIN") return h("pre", { className: "media-plain" }, text.content);
  return h("div", { className: "media-markdown" }, ...parseMarkdown(text.content).map(blockElement));
}

function blockElement(block: Block): HTMLElement {
  switch (block.kind) {
    case "heading":
      return h(`h${Math.min(6, block.level + 3)}` as "h4", {}, ...block.children.map(inlineNode));
    case "paragraph":
      return h("p", {}, ...block.children.map(inlineNode));
    case "list":
      return h(block.ordered ? "ol" : "ul", {}, ...block.items.map((item) => h("li", {}, ...item.map(inlineNode))));
    case "code":
      return h("pre", {}, h("code", {}, block.text));
    case "quote":
      return h("blockquote", {}, ...block.children.map(inlineNode));
  }
}

function inlineNode(inline: Inline): Node {
  switch (inline.kind) {
    case "text":
      return document.createTextNode(inline.text);
    case "code":
      return h("code", {}, inline.text);
    case "strong":
    case "em":
      return h(inline.kind, {}, ...inline.children.map(inlineNode));
    case "link":
      return h("a", { href: inline.href, target: "_blank", rel: "noopener noreferrer" }, ...inline.children.map(inlineNode));
  }
}
