import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { gql, screenshot, useDashboard, type Dashboard } from "./harness";

let server: Dashboard["server"];
let web: Dashboard["web"];
let page: Page;

const PROJECT = "qa-evals";
const ITEMS = 30;
/** Items the baseline gets wrong, the contender fixes; items the contender breaks; the item it errors on. */
const FIXED = [0, 1, 2];
const BASELINE_WRONG = [...FIXED, 3, 4];
const BROKEN = [10, 11, 12, 13];
const ERRORED = 20;
let baseline = "";
let contender = "";
let itemIds: string[] = [];

/** The count of results or items the table's toolbar shows. */
const count = () => page.locator(".table-toolbar [role=status]").textContent();

const api = (query: string, variables: Record<string, unknown> = {}) => gql(server.url, query, variables);

/** A result of item i: right or wrong, with an exact-match and a similarity score. */
const result = (i: number, right: boolean, extra: Record<string, unknown> = {}) => ({
  itemId: itemIds[i], output: right ? String(2 * i) : String(2 * i + 1), latencyMs: 100 + i, cost: 0.0001 * (i + 1),
  scores: [{ name: "exact", boolean: right }, { name: "similarity", value: right ? 1 : 0.5 }], ...extra,
});

async function seed(): Promise<void> {
  const { createModel } = await api("mutation($p: String!) { createModel(project: $p, name: \"gpt-small\") { id } }", { p: PROJECT });
  const { addDatasetItems } = await api(`mutation($p: String!, $items: [DatasetItemInput!]!) {
      addDatasetItems(project: $p, dataset: "arithmetic", items: $items) { version { id } itemIds } }`,
  { p: PROJECT, items: Array.from({ length: ITEMS }, (_, i) => ({ input: `What is ${i} + ${i}?`, expected: String(2 * i) })) });
  itemIds = addDatasetItems.itemIds;
  await api(`mutation($p: String!) { setScoreConfig(project: $p, config: { name: "similarity", type: NUMERIC, min: 0, max: 1, passThreshold: 0.8 }) { name } }`, { p: PROJECT });
  const run = async (name: string, temperature: number) => (await api(`mutation($m: ID!, $v: ID!, $n: String, $s: JSON) {
      createEvalRun(modelId: $m, datasetVersionId: $v, name: $n, settings: $s, promptName: "arithmetic-qa", promptVersion: 2) { id } }`,
  { m: createModel.id, v: addDatasetItems.version.id, n: name, s: { temperature } })).createEvalRun.id as string;
  baseline = await run("baseline", 0);
  contender = await run("contender", 0.7);
  const log = (runId: string, results: object[]) => api("mutation($r: ID!, $res: [EvalResultInput!]!) { logEvalResults(runId: $r, results: $res) { results } }", { r: runId, res: results });
  await log(baseline, Array.from({ length: ITEMS }, (_, i) => result(i, !BASELINE_WRONG.includes(i), i === 5 ? { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331" } : {})));
  await log(contender, Array.from({ length: ITEMS }, (_, i) => i === ERRORED
    ? { itemId: itemIds[i], error: "The model timed out after 30 s" }
    : result(i, FIXED.includes(i) || (!BASELINE_WRONG.includes(i) && !BROKEN.includes(i)))));
}

useDashboard(async (dashboard) => {
  ({ server, web, page } = dashboard);
  await seed();
});

describe("evals", () => {
  it("should show an eval run's results item by item, filter them, and take a human score", async () => {
    await page.goto(`${web.url}/runs/${baseline}`);
    await page.getByRole("navigation", { name: "Run views" }).getByRole("link", { name: "Results" }).click();
    await page.waitForURL(`**/runs/${baseline}/results`);
    await expect.poll(() => count()).toBe("30 results");
    const aggregates = page.getByLabel("Aggregates");
    expect(await aggregates.textContent()).toContain("30 / 30 results");
    // 25 of 30 exact: the inferred boolean config passes on true
    expect(await aggregates.locator(".chip", { hasText: /^exact/ }).textContent()).toBe("exact mean 0.83333 · pass 83.333%");
    expect(await page.getByText("Dataset arithmetic v1 (30 items)").count()).toBe(1);

    const first = page.locator("tbody tr").first();
    expect(await first.locator("td").nth(1).textContent()).toBe("What is 0 + 0?");
    expect(await first.locator("td").nth(3).textContent()).toBe("1");
    expect(await first.locator(".score.fail").allTextContents()).toEqual(["exact ✗", "similarity 0.5"]);
    await expect.poll(() => page.locator("tbody tr").nth(5).getByRole("link", { name: "trace" }).getAttribute("href"))
      .toBe(`/projects/${PROJECT}/traces/0af7651916cd43dd8448eb211c80319c?span=b7ad6b7169203331`);

    // the lowest similarity first, bounded: only the five wrong answers
    await page.getByLabel("Score", { exact: true }).selectOption("similarity");
    await page.getByLabel("Maximum score").fill("0.6");
    await expect.poll(() => count()).toBe("5 results");
    expect(page.url()).toContain("score=similarity&max=0.6");

    await first.getByRole("button", { name: "Good answer" }).click();
    await expect.poll(() => aggregates.locator(".chip", { hasText: /^human/ }).textContent()).toBe("human mean 1 · pass 100%");
    const { evalResults } = await api("query($r: ID!) { evalResults(runId: $r, first: 1) { edges { node { scores { name source boolean } } } } }", { r: baseline });
    expect(evalResults.edges[0].node.scores).toContainEqual({ name: "human", source: "HUMAN", boolean: true });
    await screenshot(page, "eval-results");
  });

  it("should show an errored result apart", async () => {
    await page.goto(`${web.url}/runs/${contender}/results?errored=1`);
    await expect.poll(() => count()).toBe("1 result");
    expect(await page.locator("tbody tr.error .eval-error").textContent()).toBe("The model timed out after 30 s");
  });

  it("should compare two eval runs item by item, with aggregate deltas and the regressed filter", async () => {
    await page.goto(`${web.url}/runs/${baseline}/results`);
    await page.getByLabel("Compare with").selectOption({ label: "contender" });
    await page.waitForURL(`**/evals/compare?baseline=${baseline}&runs=${contender}`);
    const deltas = page.getByRole("table", { name: "Aggregate deltas" });
    const exact = deltas.locator("tr", { has: page.getByRole("cell", { name: "exact", exact: true }) });
    // baseline 25 of 30 right; the contender fixes 3, breaks 4 and errors on 1 (no scores there): 23 of 29
    await expect.poll(() => exact.locator("td").allTextContents()).toEqual(["contender", "exact", "0.8333", "0.7931", "−0.04023", "83.333%", "79.31%", "−4.023%", "4", "3"]);
    expect(await exact.locator("td.delta-worse").count()).toBe(3);
    await expect.poll(() => count()).toBe("30 items");

    await page.getByRole("group", { name: "Changes" }).getByLabel("Regressed").check();
    await page.waitForURL("**changes=REGRESSED");
    await expect.poll(() => count()).toBe("4 items");
    const rows = page.locator("table.eval-compare tbody tr");
    expect(await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.changes))).toEqual(["REGRESSED", "REGRESSED", "REGRESSED", "REGRESSED"]);
    expect(await rows.first().locator("td").first().textContent()).toBe("What is 10 + 10?");
    expect(await rows.first().locator("td.change-regressed .change").getAttribute("class")).toContain("delta-worse");
    await screenshot(page, "eval-compare");

    await page.getByRole("group", { name: "Changes" }).getByLabel("Regressed").uncheck();
    await page.getByRole("group", { name: "Changes" }).getByLabel("Improved").check();
    await expect.poll(() => count()).toBe("3 items");
  });

  it("should lead from the runs' compare view to the comparison of their results", async () => {
    await page.goto(`${web.url}/compare/${baseline},${contender}`);
    await page.getByRole("link", { name: "Compare their results item by item" }).click();
    await page.waitForURL(`**/evals/compare?baseline=${baseline}&runs=${contender}`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Compare 2 eval runs");
  });
});
