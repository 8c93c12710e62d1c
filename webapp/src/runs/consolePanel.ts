import { request } from "../api/graphql";
import { RunConsoleDocument } from "../gql/graphql";
import { errorState, formatTime, h } from "../ui/dom";
import { highlight, mergeLines, type ConsoleLine } from "./consoleLines";

const PAGE = 500;
/** There is no console subscription: a running run's new lines are polled for this often. */
const POLL_MS = 2000;

/**
 * A run's console output (stdout and stderr as its client captured them), searchable; while the run is RUNNING
 * new lines appear as they are stored. Answers a function that stops it.
 */
export function consolePanel(root: HTMLElement, runId: string): () => void {
  let lines: ConsoleLine[] = [];
  let after = -1; // every line up to this number has been looked at
  let hasMore = false;
  let running = true;
  let search = "";
  let generation = 0; // a new search makes answers to the old one stale
  let fetching = false;

  const list = h("pre", { className: "console-lines", tabIndex: 0, "aria-label": "Console lines" });
  const status = h("p", { className: "muted", role: "status" });
  const more = h("button", { type: "button", hidden: true, onclick: () => fetchPage() }, "Load more");
  let debounce: ReturnType<typeof setTimeout> | undefined;
  const input = h("input", {
    type: "search", placeholder: "Search the output", "aria-label": "Search console output",
    oninput: () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => {
        search = input.value;
        lines = [];
        after = -1;
        generation++;
        fetchPage();
      }, 300);
    },
  });
  root.append(h("div", { className: "toolbar" }, input), list, h("div", {}, more, status));

  async function fetchPage(): Promise<void> {
    if (fetching) return;
    fetching = true;
    const asked = generation;
    try {
      const { run } = await request(RunConsoleDocument, { id: runId, after, first: PAGE, search: search || null });
      if (asked !== generation || !run) return;
      running = run.status === "RUNNING";
      const page = run.console;
      lines = mergeLines(lines, page.lines);
      hasMore = page.hasMore;
      after = hasMore ? page.lines[page.lines.length - 1].line : Math.max(after, page.lastLine ?? -1);
      render();
    } catch (error) {
      status.replaceChildren(errorState(error, () => fetchPage()));
    } finally {
      fetching = false;
    }
  }

  function render(): void {
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    list.replaceChildren(...lines.map((l) => h("div", { className: l.stream === "STDERR" ? "stderr" : "stdout", title: formatTime(l.time) },
      ...highlight(l.text, search).map((part) => (part.match ? h("mark", {}, part.text) : part.text)))));
    if (atBottom) list.scrollTop = list.scrollHeight;
    more.hidden = !hasMore;
    status.textContent = lines.length ? "" : search ? "No line matches." : "No console output.";
  }

  fetchPage();
  const poll = setInterval(() => running && !hasMore && fetchPage(), POLL_MS);
  return () => {
    clearInterval(poll);
    clearTimeout(debounce);
    generation++;
  };
}
