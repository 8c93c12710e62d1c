import { request } from "../api/graphql";
import { RunConsoleDocument } from "../gql/graphql";
import { errorState, formatTime, h } from "../ui/dom";
import { highlight, mergeLines, type ConsoleLine } from "./consoleLines";

const PAGE = 500;

export interface ConsolePanel {
  /** New lines were stored (the run's `CONSOLE_APPENDED` event): fetch them, unless pages are still to be loaded. */
  appended(): void;
  dispose(): void;
}

/** A run's console output (stdout and stderr as its client captured them), searchable, with new lines as they come. */
export function consolePanel(root: HTMLElement, runId: string): ConsolePanel {
  let lines: ConsoleLine[] = [];
  let after = -1; // every line up to this number has been looked at
  let hasMore = false;
  let search = "";
  let generation = 0; // a new search makes answers to the old one stale
  let fetching = false;
  let fetchAgain = false; // lines came while a fetch was under way

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
    if (fetching) {
      fetchAgain = true;
      return;
    }
    fetching = true;
    const asked = generation;
    try {
      const { run } = await request(RunConsoleDocument, { id: runId, after, first: PAGE, search: search || null });
      if (asked !== generation || !run) return;
      const page = run.console;
      lines = mergeLines(lines, page.lines);
      hasMore = page.hasMore;
      after = hasMore ? page.lines[page.lines.length - 1].line : Math.max(after, page.lastLine ?? -1);
      render();
    } catch (error) {
      status.replaceChildren(errorState(error, () => fetchPage()));
    } finally {
      fetching = false;
      if (fetchAgain && !hasMore) {
        fetchAgain = false;
        void fetchPage();
      }
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
  return {
    appended() {
      if (!hasMore) void fetchPage();
    },
    dispose() {
      clearTimeout(debounce);
      generation++;
    },
  };
}
