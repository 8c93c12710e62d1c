import { h } from "../ui/dom";
import { indexAtOrBefore, insertStep } from "./steps";

/** While playing, the next step is shown this long after the last one was. */
const PLAY_INTERVAL_MS = 600;

export interface StepSlider {
  element: HTMLElement;
  /** The step shown (or being loaded). */
  step(): number | undefined;
  /** A step logged live: a new tick; a slider at the last step follows it. */
  added(step: number): void;
  dispose(): void;
}

/**
 * A slider over the logged steps (a tick at each, the arrow keys step through them) with play and pause. `show`
 * loads and shows a step and resolves once it is shown; a step asked while another loads supersedes it (the panel
 * drops the older answer), and play moves on only after a step was shown. `steps` (ascending) is the slider's:
 * `added` inserts into it.
 */
export function stepSlider(label: string, steps: number[], show: (step: number) => Promise<void>): StepSlider {
  const listId = `media-steps-${Math.random().toString(36).slice(2)}`;
  const ticks = h("datalist", { id: listId });
  const range = h("input", { type: "range", min: 0, step: 1, "aria-label": `${label}: step` });
  range.setAttribute("list", listId); // (a read-only property)
  const value = h("output", { className: "media-step" });
  const play = h("button", { type: "button", className: "media-play", "aria-pressed": "false" }, "Play");
  let index = steps.length - 1;
  let playing: ReturnType<typeof setTimeout> | undefined;
  let isPlaying = false;
  const layout = () => {
    range.max = String(Math.max(0, steps.length - 1));
    range.disabled = steps.length < 2;
    ticks.replaceChildren(...steps.map((_, i) => h("option", { value: i })));
  };
  const go = (i: number) => {
    index = i;
    range.value = String(i);
    value.textContent = `Step ${steps[i]}`;
    return show(steps[i]);
  };
  const setPlaying = (on: boolean) => {
    isPlaying = on;
    clearTimeout(playing);
    play.textContent = on ? "Pause" : "Play";
    play.setAttribute("aria-pressed", String(on));
  };
  const next = () => {
    if (!isPlaying) return;
    if (index >= steps.length - 1) return setPlaying(false);
    go(index + 1).finally(() => {
      if (isPlaying) playing = setTimeout(next, PLAY_INTERVAL_MS);
    });
  };
  range.addEventListener("input", () => go(Number(range.value)));
  play.addEventListener("click", () => {
    if (isPlaying) return setPlaying(false);
    setPlaying(true);
    // from the start when at the end, as a video player does
    if (index >= steps.length - 1) go(0).finally(() => (playing = setTimeout(next, PLAY_INTERVAL_MS)));
    else next();
  });
  layout();
  if (index >= 0) void go(index);
  return {
    element: h("div", { className: "media-slider" }, play, range, ticks, value),
    step: () => steps[index],
    added: (step) => {
      const following = index === steps.length - 1;
      const shown = steps[index];
      if (!insertStep(steps, step)) return;
      layout();
      if (following && !isPlaying) return void go(steps.length - 1);
      index = indexAtOrBefore(steps, shown ?? step);
      range.value = String(index);
    },
    dispose: () => setPlaying(false),
  };
}
