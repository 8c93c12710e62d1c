import { ApiError, request } from "../api/graphql";
import { navigate } from "../app/router";
import { evalCompareUrl, evalResultsUrl, projectUrl, runUrl, type View } from "../app/viewState";
import { EvalComparisonDocument, type EvalChange, type EvalComparisonQuery } from "../gql/graphql";
import { errorState, h, link, loading } from "../ui/dom";
import { CHANGE_LABELS, formatDelta, formatRate, preview } from "./format";
import { outputCell, scoreChips } from "./resultsView";

type EvalCompareViewState = Extract<View, { kind: "evalCompare" }>;
type Comparison = NonNullable<EvalComparisonQuery["evalComparison"]>;
type ComparisonRow = Comparison["rows"]["edges"][number]["node"];

const PAGE_SIZE = 50;

/**
 * `/evals/compare?baseline=…&runs=…`: eval runs of one dataset version item by item. On top, per contender and
 * score, the aggregates side by side with their deltas; below, one row per item with the baseline's result and
 * each contender's, the delta on the compared score coloured by its direction, filtered by change.
 */
export function compareEvalView(root: HTMLElement, view: EvalCompareViewState): () => void {
  const controller = new AbortController();
  let endCursor: string | null | undefined;
  let higherIsBetter = true;
  const tbody = h("tbody");
  const count = h("span", { className: "muted", role: "status" });
  const status = h("div", { className: "table-status" });
  const more = h("button", { type: "button", className: "load-more", hidden: true, onclick: () => load(false) }, "Load more items");
  root.append(loading());

  const variables = (after: string | null | undefined) => ({
    baseline: view.baseline, contenders: view.contenders, score: view.score || undefined,
    filter: view.changes.length ? { changes: view.changes } : undefined, first: PAGE_SIZE, after,
    // the aggregates do not change from page to page
    withDeltas: !after,
  });

  async function load(first: boolean): Promise<void> {
    more.hidden = true;
    status.replaceChildren(loading(first ? "Loading the comparison…" : "Loading more items…"));
    try {
      const { evalComparison } = await request(EvalComparisonDocument, variables(first ? null : endCursor), controller.signal);
      if (!evalComparison) throw new ApiError("One of these runs does not exist", "NOT_FOUND");
      if (first) render(evalComparison);
      const rows = evalComparison.rows;
      tbody.append(...rows.edges.map(({ node }) => comparisonRow(node)));
      endCursor = rows.pageInfo.endCursor;
      more.hidden = !rows.pageInfo.hasNextPage;
      count.textContent = `${rows.totalCount} item${rows.totalCount === 1 ? "" : "s"}`;
      status.replaceChildren(rows.totalCount ? "" : h("p", { className: "state" }, "No items with these changes."));
    } catch (error) {
      if (!controller.signal.aborted) (first ? root : status).replaceChildren(errorState(error, () => load(first)));
    }
  }

  function render(comparison: Comparison): void {
    const { baseline, contenders } = comparison;
    const project = baseline.model.project.name;
    const version = baseline.evaluation?.datasetVersion;
    const name = (run: { id: string; name?: string | null }) => run.name ?? `Run ${run.id}`;
    const aggregateDeltas = comparison.aggregateDeltas ?? [];
    higherIsBetter = aggregateDeltas.find((d) => d.name === comparison.score)?.higherIsBetter ?? true;
    const scoreNames = [...new Set(aggregateDeltas.map((d) => d.name))];
    const scoreSelect = h("select", { "aria-label": "Compared score", onchange: () => navigate(evalCompareUrl(view.baseline, view.contenders, view.changes, scoreSelect.value)) },
      ...scoreNames.map((n) => h("option", { value: n, selected: n === comparison.score }, n)));
    const filters = CHANGE_LABELS.map(([changeName, label]) => {
      const box = h("input", { type: "checkbox", checked: view.changes.includes(changeName), onchange: () => {
        const changes: EvalChange[] = box.checked ? [...view.changes, changeName] : view.changes.filter((c) => c !== changeName);
        navigate(evalCompareUrl(view.baseline, view.contenders, changes, view.score));
      } });
      return h("label", { className: `chip change-${changeName.toLowerCase()}` }, box, " ", label);
    });
    const deltaCell = (delta: number | null | undefined, better: boolean, text?: string) => {
      const { text: shown, tone } = formatDelta(delta, better);
      return h("td", { className: `num delta-${tone}` }, text ?? shown);
    };
    root.replaceChildren(
      h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / ", link(projectUrl(project), project), " /"),
      h("h1", {}, `Compare ${contenders.length + 1} eval runs`),
      h("p", { className: "muted" }, version ? `Dataset ${version.dataset.name} v${version.version} · ` : "", "baseline ",
        link(evalResultsUrl(baseline.id), name(baseline)), " against ", ...contenders.flatMap((run, i) => [i ? ", " : "", link(evalResultsUrl(run.id), name(run))])),
      h("div", { className: "table-scroll" }, h("table", { className: "runs eval-deltas", "aria-label": "Aggregate deltas" },
        h("thead", {}, h("tr", {}, ...["Contender", "Score", "Baseline mean", "Mean", "Δ mean", "Baseline pass", "Pass", "Δ pass", "Regressed", "Improved"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, ...aggregateDeltas.map((d) => h("tr", {},
          h("td", {}, link(runUrl(d.contenderRunId), name(contenders.find((c) => c.id === d.contenderRunId) ?? { id: d.contenderRunId }))),
          h("td", {}, d.name),
          h("td", { className: "num" }, formatMean(d.baselineMean)), h("td", { className: "num" }, formatMean(d.contenderMean)), deltaCell(d.meanDelta, d.higherIsBetter),
          h("td", { className: "num" }, formatRate(d.baselinePassRate)), h("td", { className: "num" }, formatRate(d.contenderPassRate)),
          deltaCell(d.passRateDelta, true, d.passRateDelta === null || d.passRateDelta === undefined ? "–" : `${d.passRateDelta >= 0 ? "+" : "−"}${formatRate(Math.abs(d.passRateDelta))}`),
          h("td", { className: `num${d.regressed ? " delta-worse" : ""}` }, String(d.regressed)),
          h("td", { className: `num${d.improved ? " delta-better" : ""}` }, String(d.improved))))))),
      h("div", { className: "table-toolbar" }, comparison.score ? h("label", {}, "Score ", scoreSelect) : "",
        h("span", { className: "chips", role: "group", "aria-label": "Changes" }, ...filters), count),
      h("div", { className: "table-scroll" }, h("table", { className: "runs eval-compare" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Input"), h("th", { scope: "col" }, "Expected"), h("th", { scope: "col" }, `Baseline: ${name(baseline)}`),
          ...contenders.map((run) => h("th", { scope: "col" }, name(run))))),
        tbody)),
      status, more);
  }

  function comparisonRow(row: ComparisonRow): HTMLTableRowElement {
    const result = (r: ComparisonRow["baseline"]) => (r ? h("div", {}, outputCell(r), " ", scoreChips(r)) : h("span", { className: "muted" }, "no result"));
    const changes = row.contenders.map((c) => c.change);
    return h("tr", { "data-item-id": row.item.id, "data-changes": changes.join(",") },
      h("td", { className: "eval-text" }, preview(row.item.input)),
      h("td", { className: "eval-text" }, preview(row.item.expected)),
      h("td", { className: "eval-text" }, result(row.baseline)),
      ...row.contenders.map((cell) => {
        const { text, tone } = formatDelta(cell.delta, higherIsBetter);
        return h("td", { className: `eval-text change-${cell.change.toLowerCase()}` }, result(cell.result), " ",
          h("span", { className: `change delta-${tone}`, title: cell.change.toLowerCase() }, cell.delta === null || cell.delta === undefined ? cell.change.toLowerCase() : text));
      }));
  }

  void load(true);
  return () => controller.abort();
}

const formatMean = (mean: number | null | undefined) => (mean === null || mean === undefined ? "–" : String(Number(mean.toPrecision(4))));
