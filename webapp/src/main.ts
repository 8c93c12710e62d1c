import "./ui/styles.css";
import { navigate, startRouter } from "./app/router";
import { artifactsView } from "./artifacts/artifactsView";
import { artifactView } from "./artifacts/artifactView";
import { runArtifactsView } from "./artifacts/runArtifactsView";
import { versionView } from "./artifacts/versionView";
import type { View } from "./app/viewState";
import { compareView } from "./compare/compareView";
import { compareEvalView } from "./evals/compareEvalView";
import { resultsView } from "./evals/resultsView";
import { paramsView } from "./params/paramsView";
import { projectsView } from "./projects/projectsView";
import { promptsView } from "./prompts/promptsView";
import { promptView } from "./prompts/promptView";
import { projectView } from "./runs/projectView";
import { runView } from "./runs/runView";
import { sessionView } from "./traces/sessionView";
import { traceView } from "./traces/traceView";
import { tracesView } from "./traces/tracesView";
import { h, link } from "./ui/dom";
import { addShortcuts, showShortcuts, startShortcuts } from "./ui/shortcuts";
import { themeToggle } from "./ui/theme";

function renderView(root: HTMLElement, view: View): () => void {
  switch (view.kind) {
    case "projects":
      return projectsView(root);
    case "project":
      return projectView(root, view);
    case "params":
      return paramsView(root, view);
    case "run":
      return runView(root, view);
    case "compare":
      return compareView(root, view);
    case "traces":
      return tracesView(root, view);
    case "trace":
      return traceView(root, view);
    case "session":
      return sessionView(root, view);
    case "prompts":
      return promptsView(root, view);
    case "prompt":
      return promptView(root, view);
    case "evalResults":
      return resultsView(root, view);
    case "evalCompare":
      return compareEvalView(root, view);
    case "artifacts":
      return artifactsView(root, view);
    case "artifact":
      return artifactView(root, view);
    case "artifactVersion":
      return versionView(root, view);
    case "runArtifacts":
      return runArtifactsView(root, view);
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
