import { ApiError, request } from "../api/graphql";
import { navigate } from "../app/router";
import { promptsUrl, promptUrl, traceUrl, type View } from "../app/viewState";
import { scoreChips } from "../evals/resultsView";
import { MovePromptLabelDocument, PromptCallsDocument, PromptDetailDocument, type PromptDetailQuery, type PromptVersionRowFragment } from "../gql/graphql";
import { formatCost, formatNanos, formatTokens } from "../traces/format";
import { spanStatusBadge } from "../traces/traceList";
import { projectTabs } from "../traces/tracesView";
import { diffTable } from "../ui/diffTable";
import { errorState, formatTime, h, link, loading } from "../ui/dom";
import { sideBySide } from "./diff";
import { compile, templateText } from "./template";

type PromptViewState = Extract<View, { kind: "prompt" }>;
type Detail = NonNullable<PromptDetailQuery["prompt"]>["prompt"];

/**
 * `/projects/:project/prompts/:name`: a prompt's versions with their usage, the side-by-side diff of two of them,
 * its labels (moved by compare-and-set) and their history, and the traced calls of one version.
 */
export function promptView(root: HTMLElement, view: PromptViewState): () => void {
  const controller = new AbortController();
  const body = h("div", {}, loading());
  root.append(
    h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / ", link(promptsUrl(view.project), view.project), " / "),
    h("h1", {}, view.name),
    projectTabs(view.project, "Prompts"),
    body,
  );
  const load = () =>
    request(PromptDetailDocument, { project: view.project, name: view.name }, controller.signal)
      .then((data) => {
        if (!data.prompt || !data.promptVersions) throw new ApiError(`No prompt ${view.name} in project ${view.project}`, "NOT_FOUND");
        const versions = data.promptVersions.edges.map((e) => e.node);
        body.replaceChildren(
          labelsSection(view, data.prompt.prompt, versions, load),
          versionsSection(view, versions),
          diffSection(view, versions),
          compileSection(versions, view.version ?? versions[0].version),
          callsSection(view, view.version ?? versions[0].version, controller.signal),
          historySection(data.promptLabelHistory?.edges.map((e) => e.node) ?? []),
        );
      })
      .catch((error) => controller.signal.aborted || body.replaceChildren(errorState(error, load)));
  load();
  return () => controller.abort();
}

const versionOptions = (versions: PromptVersionRowFragment[], selected: number) =>
  versions.map((v) => h("option", { value: String(v.version), selected: v.version === selected }, `v${v.version}${v.commitMessage ? ` – ${v.commitMessage}` : ""}`));

function labelsSection(view: PromptViewState, prompt: Detail, versions: PromptVersionRowFragment[], reload: () => void): HTMLElement {
  const message = h("p", { role: "status", className: "label-message" });
  const labelInput = h("input", { type: "text", value: "production", "aria-label": "Label", size: 14 });
  labelInput.setAttribute("list", "prompt-labels"); // a read-only property: only the attribute sets it
  const target = h("select", { "aria-label": "Version to point the label at" }, ...versionOptions(versions, versions[0].version));
  const known = new Map(prompt.labels.map((l) => [l.label, l.version]));
  const move = h("button", { type: "button", className: "button primary" }, "Move label");
  move.addEventListener("click", () => {
    const label = labelInput.value.trim();
    const version = Number(target.value);
    // What this page showed: the server refuses the move (CONFLICT) when someone moved the label since.
    const expectedVersion = known.get(label) ?? null;
    message.className = "label-message";
    message.textContent = "Moving…";
    request(MovePromptLabelDocument, { project: view.project, name: view.name, label, version, expectedVersion })
      .then(() => reload())
      .catch((error: ApiError) => {
        message.className = "label-message state error";
        message.textContent = error.code === "CONFLICT"
          ? `Label ${label} was moved by someone else since this page loaded; nothing was changed. Reload to see where it points now. (${error.message})`
          : `${error.message}${error.code ? ` (${error.code})` : ""}`;
      });
  });
  const rows = prompt.labels.map((l) => h("tr", {},
    h("td", {}, h("span", { className: "prompt-label" }, l.label), l.isProtected ? h("span", { className: "muted" }, " protected") : null),
    h("td", { className: "num" }, link(versionLink(view, l.version), `v${l.version}`)),
    h("td", {}, l.updatedBy ?? "automatic"),
    h("td", {}, formatTime(l.updatedAt)),
  ));
  return h("section", { "aria-label": "Labels" },
    h("h2", {}, "Labels"),
    h("p", { className: "muted" }, `${prompt.type.toLowerCase()} prompt, ${prompt.latestVersion} version${prompt.latestVersion === 1 ? "" : "s"}. Fetched without a label, a client gets production.`),
    h("div", { className: "table-scroll" }, h("table", { className: "runs" },
      h("thead", {}, h("tr", {}, ...["Label", "Version", "Moved by", "At"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...rows))),
    h("datalist", { id: "prompt-labels" }, ...prompt.labels.filter((l) => l.label !== "latest").map((l) => h("option", { value: l.label }))),
    h("div", { className: "toolbar label-move" }, "Point ", labelInput, " at ", target, move),
    message,
  );
}

/** This view with another version's calls and preview. */
const versionLink = (view: PromptViewState, version: number) => promptUrl(view.project, view.name, { diff: view.diff, version });

function versionsSection(view: PromptViewState, versions: PromptVersionRowFragment[]): HTMLElement {
  const rows = versions.map((v) =>
    h("tr", { className: v.version === (view.version ?? versions[0].version) ? "selected" : "" },
      h("td", { className: "num" }, link(versionLink(view, v.version), `v${v.version}`)),
      h("td", {}, v.commitMessage ?? "–"),
      h("td", {}, ...v.labels.map((l) => h("span", { className: "prompt-label" }, l))),
      h("td", {}, v.variables.join(", ") || "–"),
      h("td", { className: "num" }, v.usage.calls),
      h("td", { className: "num" }, formatTokens(v.usage.totalTokens)),
      h("td", { className: "num" }, formatCost(v.usage.cost)),
      h("td", { className: "num" }, v.usage.latencyP50Nanos === null || v.usage.latencyP50Nanos === undefined ? "–" : formatNanos(v.usage.latencyP50Nanos)),
      h("td", {}, v.createdBy),
      h("td", {}, formatTime(v.createdAt)),
    ));
  return h("section", { "aria-label": "Versions" },
    h("h2", {}, "Versions"),
    h("div", { className: "table-scroll" }, h("table", { className: "runs prompt-versions" },
      h("thead", {}, h("tr", {}, ...["Version", "Commit message", "Labels", "Variables", "Calls", "Tokens", "Cost", "p50 latency", "By", "Saved"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...rows))));
}

function diffSection(view: PromptViewState, versions: PromptVersionRowFragment[]): HTMLElement {
  const newest = versions[0].version;
  const [from, to] = view.diff ?? [versions[1]?.version ?? newest, newest];
  const byVersion = new Map(versions.map((v) => [v.version, v]));
  const left = h("select", { "aria-label": "Old version" }, ...versionOptions(versions, from));
  const right = h("select", { "aria-label": "New version" }, ...versionOptions(versions, to));
  const onChange = () => navigate(promptUrl(view.project, view.name, { diff: [Number(left.value), Number(right.value)], version: view.version }));
  left.addEventListener("change", onChange);
  right.addEventListener("change", onChange);
  const a = byVersion.get(from);
  const b = byVersion.get(to);
  const section = h("section", { "aria-label": "Diff" }, h("h2", {}, "Diff"), h("div", { className: "toolbar" }, left, " → ", right));
  if (!a || !b) {
    section.append(h("p", { className: "state error" }, `No version ${!a ? from : to}`));
    return section;
  }
  const configChanged = JSON.stringify(a.config) !== JSON.stringify(b.config);
  section.append(
    diffTable([`v${from}`, `v${to}`], sideBySide(templateText(a), templateText(b))),
    h("p", { className: configChanged ? "" : "muted" }, configChanged ? "Config: " : "Config unchanged: ",
      h("code", {}, JSON.stringify(a.config)), configChanged ? " → " : "", configChanged ? h("code", {}, JSON.stringify(b.config)) : ""),
  );
  return section;
}

/** The version's template with values typed in for its variables, as the clients' compile makes it. */
function compileSection(versions: PromptVersionRowFragment[], selected: number): HTMLElement {
  const version = versions.find((v) => v.version === selected);
  const section = h("section", { "aria-label": "Preview" }, h("h2", {}, `Preview of v${selected}`));
  if (!version) return section;
  const output = h("pre", { className: "prompt-preview" });
  const inputs = version.variables.map((name) => h("input", { type: "text", placeholder: name, "aria-label": `Variable ${name}`, "data-variable": name }));
  const update = () => {
    const values = Object.fromEntries(inputs.filter((i) => i.value).map((i) => [i.dataset.variable as string, i.value]));
    output.textContent = compile(templateText(version), values);
  };
  inputs.forEach((i) => i.addEventListener("input", update));
  update();
  section.append(h("div", { className: "toolbar" }, ...inputs), output);
  return section;
}

function callsSection(view: PromptViewState, version: number, signal: AbortSignal): HTMLElement {
  const body = h("div", {}, loading());
  request(PromptCallsDocument, { project: view.project, name: view.name, version }, signal)
    .then(({ prompt }) => {
      const calls = prompt?.calls.edges.map((e) => e.node) ?? [];
      if (!calls.length) {
        body.replaceChildren(h("p", { className: "state" }, "No traced call names this version yet: send spans with gen_ai.prompt.name and trackstack.prompt.version."));
        return;
      }
      body.replaceChildren(h("div", { className: "table-scroll" }, h("table", { className: "runs traces" },
        h("thead", {}, h("tr", {}, ...["Time", "Span", "Model", "Duration", "Tokens", "Cost", "Status", "Eval scores"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, ...calls.map((c) => h("tr", {},
          h("td", {}, formatTime(c.startTime)),
          h("td", {}, link(traceUrl(view.project, c.traceId, c.spanId), c.name)),
          h("td", {}, c.model ?? "–"),
          h("td", { className: "num" }, formatNanos(c.durationNanos)),
          h("td", { className: "num" }, formatTokens(c.inputTokens === null && c.outputTokens === null ? null : (c.inputTokens ?? 0) + (c.outputTokens ?? 0))),
          h("td", { className: "num" }, formatCost(c.cost)),
          h("td", {}, spanStatusBadge(c.status)),
          h("td", {}, c.evalScores.length ? scoreChips({ scores: c.evalScores }) : "–"),
        ))))),
        prompt && prompt.calls.totalCount > calls.length ? h("p", { className: "muted" }, `The latest ${calls.length} of ${prompt.calls.totalCount} calls.`) : "");
    })
    .catch((error) => signal.aborted || body.replaceChildren(errorState(error)));
  return h("section", { "aria-label": "Calls" }, h("h2", {}, `Calls of v${version}`), body);
}

function historySection(events: { label: string; fromVersion?: number | null; toVersion?: number | null; actor: string; at: string }[]): HTMLElement {
  const describe = (e: (typeof events)[number]) =>
    e.fromVersion == null ? `${e.label} set to v${e.toVersion}` : e.toVersion == null ? `${e.label} removed (was v${e.fromVersion})` : `${e.label} moved v${e.fromVersion} → v${e.toVersion}`;
  return h("section", { "aria-label": "Label history" },
    h("h2", {}, "Label history"),
    events.length
      ? h("ul", { className: "label-history" }, ...events.map((e) => h("li", {}, describe(e), h("span", { className: "muted" }, ` by ${e.actor}, ${formatTime(e.at)}`))))
      : h("p", { className: "muted" }, "No label was moved yet."));
}
