import { request } from "../api/graphql";
import { navigate } from "../app/router";
import { projectUrl } from "../app/viewState";
import { DeleteRunsDocument, UpdateRunDocument, type RunDetailsQuery } from "../gql/graphql";
import { errorState, h, timeElement } from "../ui/dom";
import { confirmButton } from "../ui/confirm";
import { tagList } from "./columns";
import { configRows, matchesSearch, summaryRows } from "./runTables";
import { failureText, runDuration } from "./status";

type Run = NonNullable<RunDetailsQuery["run"]>;

/**
 * Rows (a key, then values) as a table under a search box that hides the rows without each word searched for: a run
 * may have hundreds of hyperparameters or series.
 */
function searchableTable(label: string, rows: string[][], empty: string, headers?: string[]): HTMLElement {
  if (!rows.length) return h("p", { className: "muted" }, empty);
  const trs = rows.map(([key, ...values]) => h("tr", {}, h("th", { scope: "row" }, key), ...values.map((value) => h("td", {}, value))));
  const none = h("p", { className: "muted", hidden: true }, "Nothing matches.");
  const search = h("input", {
    type: "search", placeholder: `Search ${label}`, "aria-label": `Search ${label}`,
    oninput: () => {
      rows.forEach((cells, i) => (trs[i].hidden = !matchesSearch(cells, search.value)));
      none.hidden = trs.some((tr) => !tr.hidden);
    },
  });
  return h("div", { className: "searchable" }, search,
    h("div", { className: "searchable-rows" }, h("table", { className: headers ? "kv summary" : "kv" },
      headers ? h("thead", {}, h("tr", {}, ...headers.map((header) => h("th", { scope: "col" }, header)))) : null,
      h("tbody", {}, ...trs))),
    none);
}

/** Notes and tags are saved with `updateRun`; the form says when it saved or why not. */
function editForm(run: Run): HTMLElement {
  const notes = h("textarea", { rows: 3, value: run.notes ?? "", "aria-label": "Notes" });
  const tags = h("input", { type: "text", value: run.tags.join(", "), "aria-label": "Tags, comma separated" });
  const message = h("span", { role: "status", className: "muted" });
  const save = h("button", { type: "submit" }, "Save");
  const form = h("form", {
    className: "edit",
    onsubmit: async (event: Event) => {
      event.preventDefault();
      save.disabled = true;
      message.textContent = "Saving…";
      try {
        await request(UpdateRunDocument, { runId: run.id, notes: notes.value, tags: tagList(tags.value) });
        message.textContent = "Saved.";
      } catch (error) {
        message.replaceChildren(errorState(error));
      } finally {
        save.disabled = false;
      }
    },
  }, h("label", {}, "Tags", tags), h("label", {}, "Notes", notes), h("div", {}, save, " ", message));
  return form;
}

/** Deleting asks first (see confirmButton). */
const deleteButton = (run: Run) => confirmButton("Delete…", {
  title: () => `Delete ${run.name ?? `run ${run.id}`}?`,
  text: "The run and all its points are removed. This cannot be undone.",
  confirm: "Delete run",
  action: async () => {
    await request(DeleteRunsDocument, { ids: [run.id] });
    navigate(projectUrl(run.model.project.name));
  },
});

/** A running run's duration counts up every second, until its element leaves the page. */
function duration(run: Run): HTMLElement {
  const element = h("span", {}, runDuration(run));
  if (run.status === "RUNNING") {
    const timer = setInterval(() => {
      if (element.isConnected) element.textContent = runDuration(run);
      else clearInterval(timer);
    }, 1000);
  }
  return element;
}

/** Why the run failed, as its script said, across the details' width, with the traceback folded away. */
function failure(run: Run): HTMLElement | null {
  if (!run.failure) return null;
  const traceback = run.failure.traceback
    && h("details", {}, h("summary", {}, "Traceback"), h("pre", {}, run.failure.traceback));
  return h("div", { className: "run-failure", role: "note", "aria-label": "Why the run failed" },
    h("code", {}, failureText(run.failure)), traceback || "");
}

/**
 * The run at a glance, one compact strip over its charts (so that a chart is whole above the fold at 1366×768): why it
 * failed, its status, when it started, how long it ran.
 */
export function runOverview(run: Run, status: HTMLElement): HTMLElement {
  const fact = (term: string, value: Node) => h("div", {}, h("dt", {}, term), h("dd", {}, value));
  return h("section", { className: "run-details", "aria-label": "Run overview" },
    failure(run),
    h("dl", { className: "facts" },
      fact("Status", status),
      fact("Created", timeElement(run.createdAt)),
      fact("Duration", duration(run)),
      run.lastHeartbeatAt && fact("Last heartbeat", timeElement(run.lastHeartbeatAt))));
}

/**
 * What the run was given and what it came to, under its charts: its hyperparameters (config) and each series' last,
 * min and max (summary), both searchable, its environment, tags and notes.
 */
export function runDetails(run: Run): HTMLElement {
  return h("section", { className: "run-config", "aria-label": "Run details" },
    h("div", {}, h("h2", {}, "Hyperparameters"), searchableTable("hyperparameters", configRows(run.hyperparameters), "No hyperparameters.")),
    h("div", {}, h("h2", {}, "Summary"), searchableTable("summary", summaryRows(run.summaries), "No metrics logged yet.", ["Series", "Last", "Min", "Max"])),
    h("div", {}, h("h2", {}, "Environment"), searchableTable("environment", configRows(run.environment ?? {}), "No environment recorded.")),
    h("div", {}, h("h2", {}, "Tags and notes"), editForm(run), deleteButton(run)));
}
