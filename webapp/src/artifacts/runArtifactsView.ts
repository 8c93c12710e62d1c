import { ApiError, request } from "../api/graphql";
import { projectUrl, type View } from "../app/viewState";
import { RunArtifactsDocument, type RunArtifactsQuery } from "../gql/graphql";
import { runTabs } from "../traces/tracesView";
import { errorState, h, link, loading } from "../ui/dom";
import { LineageBuilder, type Lineage } from "./lineage";
import { lineageSection } from "./lineageChart";
import { versionTable } from "./versionTable";

type RunArtifactsViewState = Extract<View, { kind: "runArtifacts" }>;
type Run = NonNullable<RunArtifactsQuery["run"]>;

/** What the run used (and the runs that produced it) on the left, the run, what it logged (and who used that) on the right. */
function runLineage(run: Run): Lineage {
  const graph = new LineageBuilder();
  const id = graph.run(run, 0, true);
  for (const input of run.usedArtifacts) {
    const version = graph.version(input, -1);
    graph.link(version, id);
    if (input.producedBy) graph.link(graph.run(input.producedBy, -2), version);
  }
  for (const output of run.loggedArtifacts) {
    const version = graph.version(output, 1);
    graph.link(id, version);
    for (const consumer of output.usedBy) graph.link(version, graph.run(consumer, 2));
  }
  return graph.build();
}

/** `/runs/:id/artifacts`: the artifact versions a run logged and those it used, and their lineage. */
export function runArtifactsView(root: HTMLElement, view: RunArtifactsViewState): () => void {
  const controller = new AbortController();
  let disposeGraph = () => {};
  root.append(loading());
  const load = () =>
    request(RunArtifactsDocument, { id: view.runId }, controller.signal)
      .then(({ run }) => {
        if (!run) throw new ApiError(`No run with id ${view.runId}`, "NOT_FOUND");
        const project = run.model.project.name;
        const graph = lineageSection(runLineage(run), "This run neither logged nor used an artifact.");
        const list = (label: string, versions: Run["loggedArtifacts"], empty: string) => h("section", { "aria-label": label },
          h("h2", {}, label),
          versions.length ? versionTable(versions, label, true) : h("p", { className: "state" }, empty));
        root.replaceChildren(
          h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / ", link(projectUrl(project), project), " / ",
            link(projectUrl(project, run.model.id), run.model.name), " /"),
          h("h1", {}, run.name ?? `Run ${run.id}`),
          runTabs(run.id, "Artifacts", run.kind === "EVAL"),
          h("div", { className: "artifact-page" },
            list("Logged", run.loggedArtifacts, "This run logged no artifact: run.log_artifact(path, type=…) in the Python client."),
            list("Used", run.usedArtifacts, "This run used no artifact: run.use_artifact(\"name:alias\") records it."),
            graph.element),
        );
        disposeGraph = graph.mount();
      })
      .catch((error) => controller.signal.aborted || root.replaceChildren(errorState(error, load)));
  load();
  return () => {
    controller.abort();
    disposeGraph();
  };
}
