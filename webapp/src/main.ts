import { projectListHtml, type ProjectSummary } from "./projects";

const list = document.getElementById("projects")!;

fetch("/graphql", {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ query: "{ projects { name runCount } }" }),
})
  .then((response) => response.json())
  .then((body: { data?: { projects: ProjectSummary[] } }) => {
    list.innerHTML = body.data ? projectListHtml(body.data.projects) : "<li>Could not load projects.</li>";
  })
  .catch(() => (list.innerHTML = "<li>The server is not reachable.</li>"));
