import { describe, expect, it } from "vitest";
import { artifactsUrl, artifactUrl, artifactVersionUrl, compareUrl, emptyTableState, emptyTraceListState, evalCompareUrl, evalResultsUrl, parseUrl, runArtifactsUrl, projectUrl, promptUrl, promptsUrl, runUrl, sessionUrl, traceUrl, tracesUrl, viewTitle, viewUrl, type View } from "./viewState";

const at = (path: string) => parseUrl(new URL(path, "http://localhost"));

describe("URL ↔ view state", () => {
  it("should map the main paths to their views", () => {
    expect(at("/")).toEqual({ kind: "projects" });
    expect(at("/projects/Image%20Classification")).toMatchObject({ kind: "project", project: "Image Classification" });
    expect(at("/projects/vision/params?metric=loss~val")).toEqual({ kind: "params", project: "vision", metric: "loss~val" });
    expect(viewUrl(at("/projects/vision/params?metric=loss~val&colour=run"))).toBe("/projects/vision/params?metric=loss%7Eval&colour=run");
    expect(at("/runs/42")).toEqual({ kind: "run", runId: "42", chart: { x: "step", smoothing: 0, log: false, pins: false, charts: "", perChart: {} } });
    expect(at("/compare/1,2,3")).toMatchObject({ kind: "compare", runIds: ["1", "2", "3"], hidden: [] });
    // hidden runs are kept in the URL, those of the selection only
    expect(at("/compare/1,2,3?hide=2,9")).toMatchObject({ hidden: ["2"] });
    expect(viewUrl(at("/compare/1,2,3?hide=2,3&log=1"))).toBe("/compare/1,2,3?log=1&hide=2%2C3");
    expect(at("/elsewhere/x")).toEqual({ kind: "notFound", path: "/elsewhere/x" });
  });

  it("should restore a fully configured runs table from its URL", () => {
    const view: View = {
      kind: "project",
      project: "a/b c",
      table: {
        modelId: "7",
        search: "warm",
        statuses: ["RUNNING", "CRASHED"],
        params: ["lr", "optimizer.name"],
        metrics: ["loss~val", "accuracy"],
        sort: { column: "m:loss~val", desc: true },
        filters: { "p:lr": "> 0.001", status: "" },
        groupBy: ["optimizer.name", "@model"],
      },
    };
    const url = viewUrl(view);
    expect(url.startsWith("/projects/a%2Fb%20c?")).toBe(true);
    const restored = at(url);
    expect(restored).toEqual({ ...view, table: { ...view.table, filters: { "p:lr": "> 0.001" } } });
    // the overview's ranking beside it
    expect(at(viewUrl({ ...view, best: "m:loss~val@min" }))).toMatchObject({ best: "m:loss~val@min", table: { search: "warm" } });
  });

  it("should keep chart settings and leave defaults out of the URL", () => {
    expect(viewUrl({ kind: "compare", runIds: ["1", "2"], chart: { x: "step", smoothing: 0, log: false, pins: false, charts: "", perChart: {} }, hidden: [], grouping: { by: [], stat: "mean", band: "minmax" } })).toBe("/compare/1,2");
    const url = viewUrl({ kind: "run", runId: "5", chart: { x: "wall", smoothing: 0.6, log: true, pins: true, charts: "", perChart: {} } });
    expect(url).toBe("/runs/5?x=wall&smooth=0.6&log=1&pins=1");
    expect(at(url)).toEqual({ kind: "run", runId: "5", chart: { x: "wall", smoothing: 0.6, log: true, pins: true, charts: "", perChart: {} } });
    // another metric as the x axis, and the charts' filter
    const custom = viewUrl({ kind: "run", runId: "5", chart: { x: "m:epoch", smoothing: 0, log: false, pins: false, charts: "/^val\\//", perChart: {} } });
    expect(custom).toBe("/runs/5?x=m%3Aepoch&charts=%2F%5Eval%5C%2F%2F");
    expect(at(custom)).toMatchObject({ chart: { x: "m:epoch", charts: "/^val\\//", perChart: {} } });
    expect(at("/runs/5?x=m:")).toMatchObject({ chart: { x: "step" } });
    // a chart's own settings beside the page's, and through a reload
    const own = viewUrl({ kind: "compare", runIds: ["1", "2"], hidden: [], grouping: { by: [], stat: "mean", band: "minmax" },
      chart: { x: "step", smoothing: 0.6, log: false, pins: false, charts: "", perChart: { loss: { smoothing: 0, log: true, yMax: 3, zoom: [50, 80] } } } });
    expect(own).toBe("/compare/1,2?smooth=0.6&c.loss=s%3A0%2Clog%2Cy%3A..3%2Cz%3A50..80");
    expect(at(own)).toMatchObject({ chart: { smoothing: 0.6, perChart: { loss: { smoothing: 0, log: true, yMax: 3, zoom: [50, 80] } } } });
  });

  it("should link to the main views in their default state", () => {
    expect(projectUrl("a b", "3")).toBe("/projects/a%20b?model=3");
    expect(runUrl("7")).toBe("/runs/7");
    expect(compareUrl(["1", "2"])).toBe("/compare/1,2");
  });

  it("should keep a prompt's name with its folders in one segment, and its diff and version", () => {
    const url = promptUrl("bots", "support/triage", { diff: [1, 3], version: 2 });
    expect(url).toBe("/projects/bots/prompts/support%2Ftriage?diff=1..3&version=2");
    expect(at(url)).toEqual({ kind: "prompt", project: "bots", name: "support/triage", diff: [1, 3], version: 2 });
    expect(at("/projects/bots/prompts/qa?diff=0..x&version=-1")).toEqual({ kind: "prompt", project: "bots", name: "qa" });
    expect(at(promptsUrl("bots"))).toEqual({ kind: "prompts", project: "bots" });
  });

  it("should ignore nonsense in the query", () => {
    expect(at("/runs/5?x=banana&smooth=7")).toEqual({ kind: "run", runId: "5", chart: { x: "step", smoothing: 0, log: false, pins: false, charts: "", perChart: {} } });
    expect(at("/projects/p?status=RUNNING,BOGUS")).toMatchObject({ table: { ...emptyTableState(), statuses: ["RUNNING"] } });
  });

  it("should restore a filtered and sorted trace list of a project or a run from its URL", () => {
    const view: View = {
      kind: "traces", project: "agents",
      list: { statuses: ["ERROR"], spanTypes: ["LLM", "TOOL"], model: "gpt-4o", session: "s 1", search: "plan", sort: { field: "DURATION", desc: true } },
    };
    const url = viewUrl(view);
    expect(url).toBe("/projects/agents/traces?status=ERROR&type=LLM%2CTOOL&model=gpt-4o&session=s+1&q=plan&sort=-duration");
    expect(at(url)).toEqual(view);
    expect(at("/runs/7/traces?sort=cost&status=BOGUS")).toEqual({ kind: "traces", runId: "7", list: { ...emptyTraceListState(), sort: { field: "COST", desc: false } } });
    expect(tracesUrl({ runId: "7" })).toBe("/runs/7/traces");
  });

  it("should link to a trace, a span in it and a session", () => {
    expect(traceUrl("a b", "0af7", "b7ad")).toBe("/projects/a%20b/traces/0af7?span=b7ad");
    expect(at("/projects/a%20b/traces/0af7?span=b7ad")).toEqual({ kind: "trace", project: "a b", traceId: "0af7", spanId: "b7ad" });
    expect(at(traceUrl("p", "0af7"))).toEqual({ kind: "trace", project: "p", traceId: "0af7", spanId: undefined });
    expect(at(sessionUrl("p", "chat/1"))).toEqual({ kind: "session", project: "p", sessionId: "chat/1" });
  });

  it("should restore an eval run's filtered results and a comparison of eval runs from their URLs", () => {
    const results: View = { kind: "evalResults", runId: "4", results: { errored: false, score: "exact match", min: 0.5, max: undefined, sort: { field: "SCORE", desc: true } } };
    const url = viewUrl(results);
    expect(url).toBe("/runs/4/results?errored=0&score=exact+match&min=0.5&sort=-score");
    expect(at(url)).toEqual(results);
    expect(at("/runs/4/results?errored=maybe&min=abc&sort=bogus")).toEqual({ kind: "evalResults", runId: "4", results: { errored: undefined, score: "", min: undefined, max: undefined, sort: undefined } });
    expect(evalResultsUrl("4")).toBe("/runs/4/results");

    const compare = evalCompareUrl("1", ["2", "3"], ["REGRESSED", "ERRORED"], "judge");
    expect(compare).toBe("/evals/compare?baseline=1&runs=2%2C3&score=judge&changes=REGRESSED%2CERRORED");
    expect(at(compare)).toEqual({ kind: "evalCompare", baseline: "1", contenders: ["2", "3"], score: "judge", changes: ["REGRESSED", "ERRORED"] });
    expect(at("/evals/compare?baseline=1&changes=BOGUS")).toEqual({ kind: "notFound", path: "/evals/compare" });
  });

  it("should map a project's artifacts, an artifact, a version by number or alias with its open file, and a run's artifacts", () => {
    expect(at(artifactsUrl("vision"))).toEqual({ kind: "artifacts", project: "vision" });
    expect(artifactUrl("vision", "resnet")).toBe("/projects/vision/artifacts/resnet");
    expect(at(artifactUrl("vision", "resnet"))).toEqual({ kind: "artifact", project: "vision", name: "resnet" });
    const url = artifactVersionUrl("my vision", "resnet", 3, "tokenizer/vocab.json");
    expect(url).toBe("/projects/my%20vision/artifacts/resnet/v/3?file=tokenizer%2Fvocab.json");
    expect(at(url)).toEqual({ kind: "artifactVersion", project: "my vision", name: "resnet", version: { version: 3 }, file: "tokenizer/vocab.json" });
    expect(at("/projects/vision/artifacts/resnet/v/best")).toEqual({ kind: "artifactVersion", project: "vision", name: "resnet", version: { alias: "best" }, file: undefined });
    expect(artifactVersionUrl("vision", "resnet", "production")).toBe("/projects/vision/artifacts/resnet/v/production");
    expect(at("/projects/vision/artifacts/resnet/v/0")).toMatchObject({ version: { alias: "0" } });
    expect(at("/projects/vision/artifacts/resnet/versions/1")).toEqual({ kind: "notFound", path: "/projects/vision/artifacts/resnet/versions/1" });
    expect(at(runArtifactsUrl("42"))).toEqual({ kind: "runArtifacts", runId: "42" });
  });

  it("should title each view by what it shows, then where", () => {
    expect(viewTitle(at("/"))).toEqual(["Projects"]);
    expect(viewTitle(at("/projects/vision?sort=name"))).toEqual(["vision"]);
    expect(viewTitle(at("/compare/1"))).toEqual(["Compare 1 run"]);
    expect(viewTitle(at("/compare/1,2"))).toEqual(["Compare 2 runs"]);
    expect(viewTitle(at("/projects/vision/artifacts/resnet/v/best"))).toEqual(["resnet:best", "vision"]);
    expect(viewTitle(at("/nowhere"))).toEqual(["Not found"]);
  });
});
