import "./ui/styles.css";
import { navigate, startRouter } from "./app/router";
import type { View } from "./app/viewState";
import { compareView } from "./compare/compareView";
import { errorState, h, link, loading } from "./ui/dom";
import { addShortcuts, showShortcuts, startShortcuts } from "./ui/shortcuts";
import { themeToggle } from "./ui/theme";

/**
 * A view whose code is loaded when it is first shown. Only the compare view, which must draw as soon as it can, is in
 * the first bundle with what it needs (ECharts); each other view is a chunk of its own. Answers the cleanup.
 */
function later<M>(root: HTMLElement, module: Promise<M>, render: (module: M) => () => void): () => void {
  let dispose = () => {};
  let gone = false;
  root.append(loading());
  module
    .then((loaded) => {
      if (gone) return;
      root.replaceChildren();
      dispose = render(loaded);
    })
    // a chunk missing after an upgrade: a reload gets the new bundle
    .catch((error) => gone || root.replaceChildren(errorState(error, () => location.reload())));
  return () => {
    gone = true;
    dispose();
  };
}

function renderView(root: HTMLElement, view: View): () => void {
  switch (view.kind) {
    case "projects":
      return later(root, import("./projects/projectsView"), (m) => m.projectsView(root));
    case "project":
      return later(root, import("./runs/projectView"), (m) => m.projectView(root, view));
    case "params":
      return later(root, import("./params/paramsView"), (m) => m.paramsView(root, view));
    case "run":
      return later(root, import("./runs/runView"), (m) => m.runView(root, view));
    case "compare":
      return compareView(root, view);
    case "traces":
      return later(root, import("./traces/tracesView"), (m) => m.tracesView(root, view));
    case "trace":
      return later(root, import("./traces/traceView"), (m) => m.traceView(root, view));
    case "session":
      return later(root, import("./traces/sessionView"), (m) => m.sessionView(root, view));
    case "prompts":
      return later(root, import("./prompts/promptsView"), (m) => m.promptsView(root, view));
    case "prompt":
      return later(root, import("./prompts/promptView"), (m) => m.promptView(root, view));
    case "evalResults":
      return later(root, import("./evals/resultsView"), (m) => m.resultsView(root, view));
    case "evalCompare":
      return later(root, import("./evals/compareEvalView"), (m) => m.compareEvalView(root, view));
    case "artifacts":
      return later(root, import("./artifacts/artifactsView"), (m) => m.artifactsView(root, view));
    case "artifact":
      return later(root, import("./artifacts/artifactView"), (m) => m.artifactView(root, view));
    case "artifactVersion":
      return later(root, import("./artifacts/versionView"), (m) => m.versionView(root, view));
    case "runArtifacts":
      return later(root, import("./artifacts/runArtifactsView"), (m) => m.runArtifactsView(root, view));
    case "notFound":
      root.append(h("h1", {}, "Not found"), h("p", {}, "Nothing lives at ", h("code", {}, view.path), ". ", link("/", "Go to the projects.")));
      return () => {};
  }
}

const main = h("main", { id: "main" });
let router: { rerender: () => void } | undefined;
const theme = themeToggle(() => router?.rerender());
document.body.replaceChildren(
  h("a", { href: "#main", className: "skip-link" }, "Skip to content"),
  h("header", { className: "app-header" }, link("/", h("strong", {}, "Trackstack")), h("nav", {}, link("/", "Projects"), h("a", { href: "/graphiql" }, "GraphiQL")), theme,
    h("button", { type: "button", className: "shortcuts-hint", "aria-keyshortcuts": "?", title: "Keyboard shortcuts", onclick: showShortcuts }, "?")),
  main,
);
router = startRouter(main, renderView);
startShortcuts();
addShortcuts(
  { keys: "/", description: "Search or filter this page", scope: "Everywhere", action: () => main.querySelector<HTMLInputElement>("input[type=search]")?.focus() },
  { keys: "g p", description: "Go to the projects", scope: "Everywhere", action: () => navigate("/") },
  { keys: "t", description: "Switch between the light and dark theme", scope: "Everywhere", action: () => theme.click() },
);
