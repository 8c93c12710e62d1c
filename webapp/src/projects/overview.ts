import { request } from "../api/graphql";
import { compareUrl, runUrl } from "../app/viewState";
import { runColor } from "../charts/runColor";
import { BestRunsDocument, ParamRunsDocument } from "../gql/graphql";
import { metricOf, metricValue, rankedMetrics } from "../runs/columns";
import { statusBadge } from "../runs/status";
import { errorState, formatNumber, h, link, loading } from "../ui/dom";
import { bestColumn, bestOrder, byMax, otherExtreme } from "./bestRuns";

/** Runs shown in the overview. */
const BEST = 5;
/** The metrics offered are those of this many of the newest runs. */
const METRICS_FROM = 100;

const metricLabel = (metric: string) => metric.slice(2).replace("~", " · ");

/**
 * A project's overview: its best runs by a metric, chosen with the ranking (the lowest min or the highest max; a
 * loss's min and an accuracy's max by default), as the server sorts its runs by their summaries. `onChange` gets the
 * ranking for the URL.
 */
export function projectOverview(project: string, initial: string | undefined, onChange: (best: string) => void, signal: AbortSignal): HTMLElement {
  const body = h("div", {}, loading("Loading the best runs…"));
  const section = h("section", { className: "overview", "aria-label": "Best runs" }, body);
  request(ParamRunsDocument, { project, first: METRICS_FROM }, signal)
    .then(({ runs }) => {
      const metrics = rankedMetrics(runs.edges.map(({ node }) => node));
      if (!metrics.length) return section.remove();
      const start = initial && /@(min|max)$/.test(initial) && metrics.includes(initial.replace(/@(min|max)$/, "")) ? initial : bestColumn(metrics[0]);
      const metric = h("select", { "aria-label": "Best runs by" },
        ...metrics.map((m) => h("option", { value: m, selected: start.startsWith(`${m}@`) }, metricLabel(m))));
      const extreme = h("select", { "aria-label": "Ranked by" },
        h("option", { value: "min", selected: !byMax(start) }, "lowest"), h("option", { value: "max", selected: byMax(start) }, "highest"));
      const table = h("tbody");
      const valueHead = h("th", {});
      const compare = h("a", { className: "button" }, "Compare these");
      const show = async (column: string) => {
        const { stat } = metricOf(column);
        extreme.value = stat === "MAX" ? "max" : "min";
        valueHead.textContent = `${metricLabel(column.replace(/@(min|max)$/, ""))} · ${stat.toLowerCase()}`;
        table.replaceChildren(h("tr", {}, h("td", { colSpan: 4 }, loading())));
        try {
          const { runs: best } = await request(BestRunsDocument, { project, orderBy: bestOrder(column), first: BEST }, signal);
          // runs without the metric come last: not among the best
          const ranked = best.edges.map(({ node }) => node).filter((run) => metricValue(run, column) != null);
          compare.hidden = ranked.length < 2;
          compare.setAttribute("href", compareUrl(ranked.map((run) => run.id)));
          table.replaceChildren(...(ranked.length ? ranked.map((run, i) => {
            const value = metricValue(run, column);
            return h("tr", { "data-run-id": run.id }, h("td", { className: "num" }, i + 1),
              h("td", {}, h("span", { className: "swatch", style: `background:${runColor(run.id)}` }), link(runUrl(run.id), run.name ?? `run ${run.id}`)),
              h("td", { className: "num" }, typeof value === "number" ? formatNumber(value) : String(value)), h("td", {}, statusBadge(run.status, run.failure)));
          }) : [h("tr", {}, h("td", { colSpan: 4, className: "muted" }, "No run has logged it."))]));
        } catch (error) {
          if (!signal.aborted) table.replaceChildren(h("tr", {}, h("td", { colSpan: 4 }, errorState(error))));
        }
      };
      const change = (column: string) => {
        onChange(column);
        void show(column);
      };
      metric.addEventListener("change", () => change(bestColumn(metric.value)));
      extreme.addEventListener("change", () => {
        const column = bestColumn(metric.value);
        change((extreme.value === "max") === byMax(column) ? column : otherExtreme(column));
      });
      body.replaceChildren(
        h("div", { className: "toolbar" }, h("h2", {}, "Best runs"), h("label", {}, "by ", metric), h("label", {}, extreme, " first"), compare),
        h("table", { className: "best-runs" }, h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "Run"), valueHead, h("th", {}, "Status"))), table));
      void show(start);
    })
    .catch((error) => signal.aborted || body.replaceChildren(errorState(error)));
  return section;
}
