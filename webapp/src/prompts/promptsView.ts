import { request } from "../api/graphql";
import { promptUrl, type View } from "../app/viewState";
import { PromptListDocument } from "../gql/graphql";
import { projectTabs } from "../traces/tracesView";
import { h, link, loading, timeElement } from "../ui/dom";
import { moreThanShown, searchedList } from "../ui/searchedList";

type PromptsViewState = Extract<View, { kind: "prompts" }>;

const PAGE_SIZE = 200;

/** `/projects/:name/prompts`: the project's prompts by name, searched by name prefix (a folder: "support/"). */
export function promptsView(root: HTMLElement, view: PromptsViewState): () => void {
  const search = h("input", { type: "search", placeholder: "Name starts with…", "aria-label": "Search prompts by name prefix" });
  const body = h("div", {}, loading());
  root.append(
    h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / "),
    h("h1", {}, view.project),
    projectTabs(view.project, "Prompts"),
    h("div", { className: "toolbar" }, search),
    body,
  );
  return searchedList(search, body, (signal) =>
    request(PromptListDocument, { project: view.project, namePrefix: search.value || null, first: PAGE_SIZE }, signal)
      .then(({ prompts }) => {
        const edges = prompts?.edges ?? [];
        if (!edges.length) {
          body.replaceChildren(h("p", { className: "state" }, search.value ? "No prompt starts with that." : "No prompts yet: save one with savePrompt or trackstack.save_prompt."));
          return;
        }
        const rows = edges.map(({ node }) => h("tr", {},
          h("td", {}, link(promptUrl(view.project, node.name), node.name)),
          h("td", {}, node.type.toLowerCase()),
          h("td", { className: "num" }, node.latestVersion),
          h("td", {}, ...node.labels.map((l) => h("span", { className: "prompt-label" }, `${l.label} → v${l.version}`))),
          h("td", {}, timeElement(node.createdAt)),
        ));
        body.replaceChildren(
          h("div", { className: "table-scroll" }, h("table", { className: "runs prompts" },
            h("thead", {}, h("tr", {}, ...["Name", "Type", "Versions", "Labels", "Created"].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, ...rows))),
          moreThanShown(edges.length, prompts?.totalCount ?? 0),
        );
      }));
}
