import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { gql, screenshot, useDashboard, type Dashboard } from "./harness";

let server: Dashboard["server"];
let web: Dashboard["web"];
let page: Page;

const PROJECT = "support-bot";
const NAME = "support/triage";
const SAVE = `mutation($input: SavePromptInput!) { savePrompt(input: $input) { version { version } } }`;
const MOVE = `mutation($label: String!, $version: Int!, $expected: Int) {
  movePromptLabel(project: "${PROJECT}", name: "${NAME}", label: $label, version: $version, expectedVersion: $expected) { version } }`;

const shot = (name: string) => screenshot(page, name);

/** Two versions that differ in one line, one line added and the config; v1 in production; a traced call of v2. */
async function seed(): Promise<void> {
  const save = (text: string, temperature: number, commitMessage: string) =>
    gql(server.url, SAVE, { input: { project: PROJECT, name: NAME, text, config: { model: "gpt-4o", temperature }, commitMessage } });
  await save("You sort support tickets.\nAnswer with one word.\nTicket: {{ticket}}", 0, "first try");
  await save("You sort support tickets.\nAnswer with billing, shipping or other.\nTicket: {{ticket}}\nCustomer: {{customer}}", 0.2, "name the classes");
  await gql(server.url, MOVE, { label: "production", version: 1, expected: null });
  const attribute = (key: string, value: string | number) => ({ key, value: typeof value === "string" ? { stringValue: value } : { intValue: String(value) } });
  const now = BigInt(Date.now()) * 1_000_000n;
  const response = await fetch(`${server.url}/v1/traces`, {
    method: "POST", headers: { "Content-Type": "application/json", "X-Trackstack-Project": PROJECT },
    body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: "e2e" }, spans: [{
      traceId: "5".repeat(32), spanId: "6".repeat(16), name: "classify ticket", kind: 3,
      startTimeUnixNano: String(now - 800_000_000n), endTimeUnixNano: String(now),
      attributes: [attribute("gen_ai.request.model", "gpt-4o"), attribute("gen_ai.usage.input_tokens", 40), attribute("gen_ai.usage.output_tokens", 2),
        attribute("gen_ai.prompt.name", NAME), attribute("trackstack.prompt.version", 2)],
      status: { code: 1 },
    }] }] }] }),
  });
  if (!response.ok) throw new Error(`OTLP answered ${response.status}`);
  // an eval that judged that call: its result links to the call's trace
  const { addDatasetItems } = await gql(server.url, `mutation($p: String!) { addDatasetItems(project: $p, dataset: "tickets",
      items: [{ input: "My parcel is late", expected: "shipping" }]) { version { id } itemIds } }`, { p: PROJECT });
  const { createModel } = await gql(server.url, `mutation($p: String!) { createModel(project: $p, name: "gpt-4o") { id } }`, { p: PROJECT });
  const { createEvalRun } = await gql(server.url, "mutation($m: ID!, $v: ID!) { createEvalRun(modelId: $m, datasetVersionId: $v) { id } }",
    { m: createModel.id, v: addDatasetItems.version.id });
  await gql(server.url, "mutation($r: ID!, $res: [EvalResultInput!]!) { logEvalResults(runId: $r, results: $res) { results } }", {
    r: createEvalRun.id,
    res: [{ itemId: addDatasetItems.itemIds[0], output: "shipping", traceId: "5".repeat(32), scores: [{ name: "exact", boolean: true }] }],
  });
}

useDashboard(async (dashboard) => {
  ({ server, web, page } = dashboard);
  await seed();
});

describe("prompts", () => {
  it("should list the project's prompts with their labels", async () => {
    await page.goto(`${web.url}/projects/${PROJECT}`);
    await page.getByRole("navigation", { name: "Project views" }).getByRole("link", { name: "Prompts" }).click();
    const row = page.locator("table.prompts tbody tr");
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator("td").nth(0).textContent()).toBe(NAME);
    expect(await row.locator("td").nth(3).textContent()).toContain("production → v1");
  });

  it("should show the changed lines of two versions side by side", async () => {
    await page.goto(`${web.url}/projects/${PROJECT}/prompts`);
    await page.getByRole("link", { name: NAME }).click();
    const diff = page.getByRole("region", { name: "Diff" });
    await diff.locator("table.diff").waitFor();
    const changed = diff.locator("tr.diff-changed");
    expect(await changed.count()).toBe(1);
    expect(await changed.locator("td.diff-old").textContent()).toBe("Answer with one word.");
    expect(await changed.locator("td.diff-new").textContent()).toBe("Answer with billing, shipping or other.");
    expect(await diff.locator("tr.diff-added td.diff-new").allTextContents()).toEqual(["Customer: {{customer}}"]);
    expect(await diff.locator("tr.diff-same").count()).toBe(2);
    expect(await diff.textContent()).toContain('"temperature":0.2');

    // The versions table and the calls of the newest version, linked to their trace.
    const versions = page.getByRole("region", { name: "Versions" }).locator("tbody tr");
    expect(await versions.first().locator("td").nth(4).textContent()).toBe("1");
    const call = page.getByRole("region", { name: "Calls" }).getByRole("link", { name: "classify ticket" });
    await call.waitFor();
    expect(await call.getAttribute("href")).toBe(`/projects/${PROJECT}/traces/${"5".repeat(32)}?span=${"6".repeat(16)}`);
    expect(await page.getByRole("region", { name: "Calls" }).locator("tbody tr .score.pass").allTextContents()).toEqual(["exact ✓"]);

    // Swapping the old version for v2 against itself: nothing changed.
    await diff.getByRole("combobox", { name: "Old version" }).selectOption("2");
    await expect.poll(() => page.url()).toContain("diff=2..2");
    await page.getByRole("region", { name: "Diff" }).locator("table.diff").waitFor();
    expect(await page.locator("tr.diff-changed, tr.diff-added, tr.diff-removed").count()).toBe(0);
  });

  it("should move a label, and refuse a move over someone else's", async () => {
    await page.goto(`${web.url}/projects/${PROJECT}/prompts/${encodeURIComponent(NAME)}`);
    const labels = page.getByRole("region", { name: "Labels" });
    await labels.getByRole("button", { name: "Move label" }).waitFor();
    await labels.getByRole("combobox", { name: "Version to point the label at" }).selectOption("2");
    await labels.getByRole("button", { name: "Move label" }).click();
    await expect.poll(() => page.getByRole("region", { name: "Label history" }).textContent()).toContain("production moved v1 → v2");

    // Someone else moves production back meanwhile: this page's move is a conflict and changes nothing.
    await gql(server.url, MOVE, { label: "production", version: 1, expected: 2 });
    await page.getByRole("region", { name: "Labels" }).getByRole("combobox", { name: "Version to point the label at" }).selectOption("2");
    await page.getByRole("region", { name: "Labels" }).getByRole("button", { name: "Move label" }).click();
    const message = page.getByRole("region", { name: "Labels" }).locator(".label-message");
    await expect.poll(() => message.textContent()).toContain("was moved by someone else");
    const now = await gql<{ prompt: { version: number } }>(server.url, `{ prompt(project: "${PROJECT}", name: "${NAME}") { version } }`);
    expect(now.prompt.version).toBe(1);
    await shot("prompts-diff-and-labels");
  });
});
