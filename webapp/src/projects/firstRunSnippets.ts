import { h } from "../ui/dom";

/** The empty state: how to log a first run, with this server's address filled in. */
export function firstRunSnippets(origin: string): HTMLElement {
  const python = `import json, math, urllib.request

def gql(query, **variables):
    request = urllib.request.Request("${origin}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"})
    body = json.load(urllib.request.urlopen(request))
    if "errors" in body:
        raise RuntimeError(body["errors"])
    return body["data"]

model = gql('mutation { createModel(project: "My project", name: "baseline") { id } }')["createModel"]["id"]
run = gql('mutation($m: ID!, $h: JSON) { createRun(modelId: $m, hyperparameters: $h) { id } }',
          m=model, h={"lr": 0.001, "batch_size": 32})["createRun"]["id"]
points = [{"name": "loss", "split": "train", "step": s, "value": 2 * math.exp(-s / 200)} for s in range(1000)]
gql('mutation($r: ID!, $p: [MetricPointInput!]!) { logMetrics(runId: $r, points: $p) { accepted } }', r=run, p=points)
gql('mutation($r: ID!) { updateRunStatus(runId: $r, status: COMPLETED) { status } }', r=run)`;
  const curl = `curl -s ${origin}/graphql -H 'Content-Type: application/json' -d '{"query":
  "mutation { createModel(project: \\"My project\\", name: \\"baseline\\") { id } }"}'
# use the model id it answers (here 1)
curl -s ${origin}/graphql -H 'Content-Type: application/json' -d '{"query":
  "mutation { createRun(modelId: \\"1\\", hyperparameters: {lr: 0.001}) { id } }"}'
# use the run id it answers (here 1)
curl -s ${origin}/graphql -H 'Content-Type: application/json' -d '{"query":
  "mutation($p: [MetricPointInput!]!) { logMetrics(runId: \\"1\\", points: $p) { accepted } }",
  "variables": {"p": [{"name": "loss", "split": "train", "step": 1, "value": 2.3},
                      {"name": "loss", "split": "train", "step": 2, "value": 1.9}]}}'`;
  return h("section", { className: "empty" },
    h("h2", {}, "No projects yet"),
    h("p", {}, "Log a first run from a training script and it shows up here, live. With nothing but Python's standard library:"),
    h("pre", { tabIndex: 0 }, h("code", {}, python)),
    h("p", {}, "Or with curl:"),
    h("pre", { tabIndex: 0 }, h("code", {}, curl)));
}
