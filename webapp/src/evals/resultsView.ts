import { ApiError, request } from "../api/graphql";
import { navigate, replaceView } from "../app/router";
import { evalCompareUrl, projectUrl, promptUrl, traceUrl, type EvalResultsState, type View } from "../app/viewState";
import {
  EvalResultsDocument, EvalRunDocument, EvalRunsOfProjectDocument, LogHumanScoreDocument,
  type EvalResultCellsFragment, type EvalResultSortField, type EvalResultsQuery, type ScoreAggregatesFragment,
} from "../gql/graphql";
import { runTabs } from "../traces/tracesView";
import { errorState, formatNumber, h, link, loading } from "../ui/dom";
import { formatCost } from "../traces/format";
import { formatRate, formatScore, passClass, preview } from "./format";

type EvalResultsViewState = Extract<View, { kind: "evalResults" }>;
type ResultRow = NonNullable<EvalResultsQuery["evalResults"]>["edges"][number]["node"];

const PAGE_SIZE = 50;
const TYPING_DELAY_MS = 300;
/** The name of the good / bad score people give in the table (a BOOLEAN score, source HUMAN). */
const HUMAN_SCORE = "human";

/** An eval run's aggregates as chips: results logged of those expected, errored, and per score its mean and pass rate. */
export function aggregateChips(aggregates: ScoreAggregatesFragment): HTMLElement {
  return h("p", { className: "eval-aggregates", "aria-label": "Aggregates" },
    h("span", { className: "chip" }, `${aggregates.items} / ${aggregates.expected} results`),
    h("span", { className: `chip${aggregates.errored ? " fail" : ""}` }, `${aggregates.errored} errored`),
    ...aggregates.scores.map((s) => h("span", { className: "chip", title: `${s.count} scored` },
      h("strong", {}, s.name), " ",
      s.mean !== null && s.mean !== undefined ? `mean ${formatNumber(s.mean)}` : "",
      s.passRate !== null && s.passRate !== undefined ? ` · pass ${formatRate(s.passRate)}` : "",
      s.categories?.length ? ` · ${s.categories.map((c) => `${c.category} ${c.count}`).join(", ")}` : "")));
}

/** A result's scores as chips, green or red by passing; the explanation is the tooltip. */
export function scoreChips(result: Pick<EvalResultCellsFragment, "scores">): HTMLElement {
  return h("span", { className: "scores" }, ...result.scores.map((s) =>
    h("span", { className: `score ${passClass(s.passed)}`, title: [s.source.toLowerCase().replace("_", " "), s.explanation].filter(Boolean).join(": ") },
      `${s.name} ${formatScore(s)}`)));
}

/** What a result answered, or its error. */
export const outputCell = (result: Pick<EvalResultCellsFragment, "output" | "error">) =>
  result.error ? h("span", { className: "eval-error" }, preview(result.error)) : h("span", {}, preview(result.output));

/**
 * `/runs/:id/results`: an eval run's results, one row per item and repetition, filtered, sorted and paged by the
 * server; ✓ / ✗ on a row store a human score. "Compare with" opens the comparison against another eval
 * run of the same dataset version.
 */
export function resultsView(root: HTMLElement, view: EvalResultsViewState): () => void {
  const controller = new AbortController();
  let state = view.results;
  let endCursor: string | null | undefined;
  let page: AbortController | undefined;
  let typing: ReturnType<typeof setTimeout> | undefined;
  let project = "";
  root.append(loading());

  const aggregates = h("div");
  const compare = h("span");
  const count = h("span", { className: "muted", role: "status" });
  const thead = h("thead");
  const tbody = h("tbody");
  const status = h("div", { className: "table-status" });
  const more = h("button", { type: "button", className: "load-more", hidden: true, onclick: () => load(false) }, "Load more results");
  let rowNumber = 0;

  const change = (changes: Partial<EvalResultsState>, delay = 0) => {
    state = { ...state, ...changes };
    replaceView({ ...view, results: state });
    renderHeader();
    clearTimeout(typing);
    typing = setTimeout(() => load(true), delay);
  };

  async function load(first: boolean): Promise<void> {
    page?.abort();
    page = new AbortController();
    const { signal } = page;
    more.hidden = true;
    status.replaceChildren(loading(first ? "Loading results…" : "Loading more results…"));
    try {
      const bounded = state.score && (state.min !== undefined || state.max !== undefined);
      const { evalResults } = await request(EvalResultsDocument, {
        runId: view.runId,
        filter: { errored: state.errored, scoreName: bounded ? state.score : undefined, minScore: bounded ? state.min : undefined, maxScore: bounded ? state.max : undefined },
        orderBy: state.sort ? { field: state.sort.field, direction: state.sort.desc ? "DESC" : "ASC", score: state.sort.field === "SCORE" ? state.score : undefined } : undefined,
        first: PAGE_SIZE,
        after: first ? null : endCursor,
      }, signal);
      if (!evalResults) throw new ApiError(`No run with id ${view.runId}`, "NOT_FOUND");
      if (first) {
        tbody.replaceChildren();
        rowNumber = 0;
      }
      tbody.append(...evalResults.edges.map(({ node }) => resultRow(node)));
      endCursor = evalResults.pageInfo.endCursor;
      more.hidden = !evalResults.pageInfo.hasNextPage;
      count.textContent = `${evalResults.totalCount} result${evalResults.totalCount === 1 ? "" : "s"}`;
      status.replaceChildren(evalResults.totalCount ? "" : h("p", { className: "state" }, "No results match. Change the filters, or log results with logEvalResults."));
    } catch (error) {
      if (!signal.aborted) status.replaceChildren(errorState(error, () => load(first)));
    }
  }

  function resultRow(result: ResultRow, row = h("tr")): HTMLTableRowElement {
    row.dataset.itemId = result.item.id;
    row.classList.toggle("error", !!result.error);
    const human = result.scores.find((s) => s.name === HUMAN_SCORE && s.source === "HUMAN");
    const thumb = (up: boolean) => h("button", {
      type: "button", className: `thumb${human && human.boolean === up ? " chosen" : ""}`, "aria-label": up ? "Good answer" : "Bad answer",
      "aria-pressed": String(!!human && human.boolean === up),
      onclick: () => rate(result, up, row),
    }, up ? "✓" : "✗");
    const number = row.cells[0]?.textContent ?? String(++rowNumber);
    row.replaceChildren(
      h("td", { className: "num muted" }, number),
      h("td", { className: "eval-text" }, preview(result.item.input)),
      h("td", { className: "eval-text" }, preview(result.item.expected)),
      h("td", { className: "eval-text" }, outputCell(result)),
      h("td", {}, scoreChips(result)),
      h("td", { className: "num" }, result.latencyMs === null || result.latencyMs === undefined ? "–" : `${Math.round(result.latencyMs)} ms`),
      h("td", { className: "num" }, formatCost(result.cost)),
      h("td", {}, result.traceId ? link(traceUrl(project, result.traceId, result.spanId ?? undefined), "trace") : "–"),
      h("td", { className: "thumbs" }, thumb(true), thumb(false)));
    return row;
  }

  async function rate(result: ResultRow, good: boolean, row: HTMLTableRowElement): Promise<void> {
    try {
      const { logScores } = await request(LogHumanScoreDocument, {
        runId: view.runId,
        score: { itemId: result.item.id, repetition: result.repetition, name: HUMAN_SCORE, boolean: good, source: "HUMAN" },
      });
      const scores = result.scores.filter((s) => !(s.name === HUMAN_SCORE && s.source === "HUMAN"));
      scores.push({ name: HUMAN_SCORE, type: "BOOLEAN", value: good ? 1 : 0, boolean: good, category: null, passed: good, source: "HUMAN", explanation: null });
      resultRow({ ...result, scores }, row);
      aggregates.replaceChildren(aggregateChips(logScores.aggregates));
    } catch (error) {
      row.after(h("tr", {}, h("td", { colSpan: 9 }, errorState(error))));
    }
  }

  function renderHeader(): void {
    const sortable = (label: string, field: EvalResultSortField) => {
      const current = (state.sort?.field ?? "ITEM") === field;
      const desc = current && !!state.sort?.desc;
      return h("th", { scope: "col", "aria-sort": current ? (desc ? "descending" : "ascending") : undefined },
        h("button", { type: "button", className: "sort", disabled: field === "SCORE" && !state.score, onclick: () => change({ sort: { field, desc: current ? !desc : field !== "ITEM" } }) },
          label, current ? (desc ? " ▼" : " ▲") : ""));
    };
    thead.replaceChildren(h("tr", {}, sortable("#", "ITEM"), h("th", { scope: "col" }, "Input"), h("th", { scope: "col" }, "Expected"),
      h("th", { scope: "col" }, "Output"), sortable(state.score ? `Scores (by ${state.score})` : "Scores", "SCORE"), sortable("Latency", "LATENCY"),
      sortable("Cost", "COST"), h("th", { scope: "col" }, "Trace"), h("th", { scope: "col" }, "Human")));
  }

  const load0 = () =>
    request(EvalRunDocument, { id: view.runId }, controller.signal)
      .then(async ({ run }) => {
        if (!run) throw new ApiError(`No run with id ${view.runId}`, "NOT_FOUND");
        if (!run.evaluation) throw new ApiError(`Run ${run.id} is a training run: it has no eval results`, "NOT_EVAL_RUN");
        project = run.model.project.name;
        const evaluation = run.evaluation;
        const version = evaluation.datasetVersion;
        aggregates.replaceChildren(aggregateChips(evaluation.aggregates));
        const scoreNames = evaluation.aggregates.scores.map((s) => s.name);
        const errored = h("select", { "aria-label": "Errors", onchange: () => change({ errored: errored.value === "" ? undefined : errored.value === "1" }) },
          h("option", { value: "", selected: state.errored === undefined }, "All results"),
          h("option", { value: "1", selected: state.errored === true }, "Errored only"),
          h("option", { value: "0", selected: state.errored === false }, "Without error"));
        const score = h("select", { "aria-label": "Score", onchange: () => change({ score: score.value, sort: state.sort?.field === "SCORE" && !score.value ? undefined : state.sort }) },
          h("option", { value: "" }, "Any score"), ...scoreNames.map((name) => h("option", { value: name, selected: state.score === name }, name)));
        const bound = (key: "min" | "max") => {
          const input = h("input", { type: "number", step: "any", value: state[key] ?? "", placeholder: key, "aria-label": `${key === "min" ? "Minimum" : "Maximum"} score`, className: "bound",
            oninput: () => change({ [key]: input.value === "" ? undefined : Number(input.value) }, TYPING_DELAY_MS) });
          return input;
        };
        root.replaceChildren(
          h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / ", link(projectUrl(project), project), " / ",
            link(projectUrl(project, run.model.id), run.model.name), " /"),
          h("h1", {}, run.name ?? `Run ${run.id}`),
          runTabs(run.id, "Results", true),
          h("p", { className: "muted" }, `Dataset ${version.dataset.name} v${version.version} (${version.itemCount} items)`,
            ...(evaluation.promptName ? [" · prompt ", link(promptUrl(project, evaluation.promptName, { version: evaluation.promptVersion ?? undefined }),
              `${evaluation.promptName}${evaluation.promptVersion ? ` v${evaluation.promptVersion}` : ""}`)] : []),
            evaluation.repetitions > 1 ? ` · ${evaluation.repetitions} repetitions` : "",
            " · settings ", h("code", {}, preview(evaluation.settings, 120)), " ", compare),
          aggregates,
          h("div", { className: "table-toolbar" }, errored, score, bound("min"), bound("max"), count),
          h("div", { className: "table-scroll" }, h("table", { className: "runs eval-results" }, thead, tbody)), status, more);
        renderHeader();
        void load(true);
        const { runs } = await request(EvalRunsOfProjectDocument, { project }, controller.signal);
        const others = runs.edges.map((e) => e.node).filter((r) => r.id !== run.id && r.evaluation?.datasetVersion.id === version.id);
        if (others.length) {
          const select = h("select", { "aria-label": "Compare with", onchange: () => select.value && navigate(evalCompareUrl(run.id, [select.value])) },
            h("option", { value: "" }, "Compare with…"), ...others.map((r) => h("option", { value: r.id }, r.name ?? `Run ${r.id}`)));
          compare.replaceChildren(select);
        }
      })
      .catch((error) => controller.signal.aborted || root.replaceChildren(errorState(error, load0)));
  load0();
  return () => {
    clearTimeout(typing);
    controller.abort();
    page?.abort();
  };
}
