import { errorState, h } from "./dom";

const TYPING_DELAY_MS = 300;

/**
 * A list searched as one types: `load` runs now and again once typing in `search` pauses, each run aborting the one
 * before; a run that fails shows its error, with Try again, in `body`. Answers the view's cleanup.
 */
export function searchedList(search: HTMLInputElement, body: HTMLElement, load: (signal: AbortSignal) => Promise<void>): () => void {
  let controller = new AbortController();
  let typing: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    controller.abort();
    const current = (controller = new AbortController());
    load(current.signal).catch((error) => current.signal.aborted || body.replaceChildren(errorState(error, run)));
  };
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(run, TYPING_DELAY_MS);
  });
  run();
  return () => {
    clearTimeout(typing);
    controller.abort();
  };
}

/** Under a list that shows one page: how many of how many, when there are more. */
export const moreThanShown = (shown: number, total: number) =>
  total > shown ? h("p", { className: "muted" }, `${shown} of ${total}: narrow the search to see the others.`) : "";
