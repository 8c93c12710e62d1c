import { createHash, randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { gql, png, screenshot, seedRun, useDashboard, type Dashboard } from "./harness";

let server: Dashboard["server"];
let web: Dashboard["web"];
let page: Page;

const PROJECT = "vision";
const LOG = `mutation($input: LogArtifactInput!) { logArtifact(input: $input) { missingBlobs created version { version } } }`;

const NOTES = "Samples for the dashboard test.\nA second line: größe & <b>not bold</b>\n";
const CONFIG = { model: "resnet", layers: [1, 2, 3], optimizer: { name: "adam", lr: 0.001 } };
/** 1,386 bytes: 1.35 KiB. A quoted field holds the delimiter. */
const ROWS = "step,loss,label\n" + Array.from({ length: 60 }, (_, i) => `${i},0.${String(1000 - i).padStart(4, "0")},"cat, tabby"\n`).join("");
/** 300 KiB of log lines: more than the preview reads. */
const BIG_LOG = Array.from({ length: 300 * 16 }, (_, i) => `line ${String(i).padStart(6, "0")} ${"x".repeat(51)}\n`).join("");
const PLOT = png(8, 6);
const MODEL = randomBytes(2048);

const files = (entries: Record<string, string | Buffer>) => Object.entries(entries).map(([path, content]) => ({ path, bytes: Buffer.from(content) }));

/** Uploads a blob per docs/api.md ("Uploading"): an upload for its SHA-256, then its bytes in one PATCH. */
async function upload(bytes: Buffer): Promise<void> {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const created = await fetch(`${server.url}/api/v1/projects/${PROJECT}/uploads`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ sha256, size: bytes.length }),
  });
  const upload = (await created.json()) as { id?: string; offset?: number; complete?: boolean };
  if (!created.ok) throw new Error(`POST uploads answered ${created.status}: ${JSON.stringify(upload)}`);
  if (upload.complete) return;
  const sent = await fetch(`${server.url}/api/v1/uploads/${upload.id}`, {
    method: "PATCH", headers: { "Upload-Offset": String(upload.offset), "Content-Type": "application/offset+octet-stream" }, body: new Uint8Array(bytes.subarray(upload.offset)),
  });
  if (sent.status !== 204) throw new Error(`PATCH answered ${sent.status}: ${await sent.text()}`);
}

/** logArtifact with the manifest, the blobs it lacks uploaded, then logArtifact again, which commits the version. */
async function logArtifact(input: Record<string, unknown>, content: { path: string; bytes: Buffer }[]): Promise<number> {
  const manifest = content.map(({ path, bytes }) => ({ path, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") }));
  const first = await gql(server.url, LOG, { input: { ...input, project: PROJECT, files: manifest } });
  for (const sha256 of first.logArtifact.missingBlobs as string[]) await upload(content[manifest.findIndex((f) => f.sha256 === sha256)].bytes);
  const second = await gql(server.url, LOG, { input: { ...input, project: PROJECT, files: manifest } });
  expect(second.logArtifact.missingBlobs).toEqual([]);
  return second.logArtifact.version.version;
}

let prepare: string;
let train: string;

/**
 * A run "prepare" logs two versions of the dataset "samples" (text, JSON, CSV, PNG; v2 with a longer CSV and a
 * 300 KiB log, aliased best); a run "train" uses samples:best and logs the model "resnet" v1.
 */
async function seed(): Promise<void> {
  prepare = await seedRun(server.url, PROJECT, "data-prep", "prepare", {});
  train = await seedRun(server.url, PROJECT, "resnet", "train", { lr: 0.001 });
  await seedRun(server.url, "quiet", "m", "nothing-logged", {});
  const v1 = await logArtifact({ name: "samples", type: "dataset", runId: prepare, metadata: { rows: 3 }, description: "Labelled samples" },
    files({ "notes.txt": NOTES, "config.json": JSON.stringify(CONFIG), "rows.csv": ROWS.split("\n").slice(0, 4).join("\n") + "\n", "plot.png": PLOT }));
  const v2 = await logArtifact({ name: "samples", type: "dataset", runId: prepare, aliases: ["best"], metadata: { rows: 60, source: { kind: "e2e" } } },
    files({ "notes.txt": NOTES, "config.json": JSON.stringify(CONFIG), "rows.csv": ROWS, "plot.png": PLOT, "logs/big.log": BIG_LOG }));
  expect([v1, v2]).toEqual([1, 2]);
  await gql(server.url, `mutation($r: ID!) { useArtifact(runId: $r, project: "${PROJECT}", name: "samples", alias: "best") { version } }`, { r: train });
  await logArtifact({ name: "resnet", type: "model", runId: train }, files({ "model.pt": MODEL }));
}

useDashboard(async (dashboard) => {
  ({ server, web, page } = dashboard);
  await seed();
});

const region = (name: string) => page.getByRole("region", { name, exact: true });
const cells = (row: ReturnType<Page["locator"]>) => row.locator("td").allTextContents();
/** The lineage graph's node labels (SVG text). */
const graphLabels = async () => (await region("Lineage").locator("svg text").allTextContents()).sort();

describe("artifacts", () => {
  it("should list a project's artifacts with their latest version, versions, aliases and the storage they take", async () => {
    await page.goto(`${web.url}/projects/${PROJECT}`);
    await page.getByRole("navigation", { name: "Project views" }).getByRole("link", { name: "Artifacts" }).click();
    const rows = page.locator("table.artifacts tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    expect((await cells(rows.nth(0))).slice(0, 5)).toEqual(["resnet", "model", "v1", "1", "latest → v1"]);
    expect((await cells(rows.nth(1))).slice(0, 6)).toEqual(["samples", "dataset", "v2", "2", "latest → v2best → v2", "Labelled samples"]);
    // Blobs counted once: v1's files are all in v2 but its shorter CSV.
    const blobs = 7;
    expect(await page.getByLabel("Storage used").textContent()).toMatch(new RegExp(`^\\d+(\\.\\d+)? KiB stored: ${blobs} files \\(each stored once\\) in 3 versions$`));

    await page.goto(`${web.url}/projects/quiet/artifacts`);
    await expect.poll(() => page.locator(".state").textContent()).toContain("No artifacts yet");
  });

  it("should show an artifact's versions newest first, with aliases, and their lineage", async () => {
    await page.goto(`${web.url}/projects/${PROJECT}/artifacts`);
    await page.getByRole("link", { name: "samples", exact: true }).click();
    const rows = region("Versions").locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    expect((await cells(rows.nth(0))).slice(0, 6)).toEqual(["v2", "latestbest", "5", "302 KiB", "prepare", "train"]);
    expect((await cells(rows.nth(1))).slice(0, 6)).toEqual(["v1", "", "4", expect.stringMatching(/^\d+ B$/), "prepare", "–"]);
    await expect.poll(graphLabels).toEqual(["prepare", "samples:v1", "samples:v2", "train"]);
    await screenshot(page, "artifact-versions");
  });

  it("should show a version's files with sizes, downloads and aliases, and preview text, JSON, CSV and images", async () => {
    await page.goto(`${web.url}/projects/${PROJECT}/artifacts/samples/v/best`);
    await expect.poll(() => page.locator("h1").textContent()).toBe("samples v2");
    const facts = await page.locator(".artifact-facts").textContent();
    expect(facts).toContain("latestbest");
    expect(facts).toContain("in 5 files");

    const files = region("Files").locator("tbody tr");
    expect(await files.count()).toBe(5);
    const byPath = Object.fromEntries(await Promise.all(Array.from({ length: 5 }, async (_, i) => {
      const [path, size] = await cells(files.nth(i));
      return [path, size];
    })));
    expect(byPath).toEqual({
      "config.json": `${JSON.stringify(CONFIG).length} B`, "logs/big.log": "300 KiB", "notes.txt": `${Buffer.byteLength(NOTES)} B`,
      "plot.png": `${PLOT.length} B`, "rows.csv": "1.35 KiB",
    });

    // The first file with a preview opens by itself: JSON, pretty printed.
    const preview = region("Preview");
    await expect.poll(() => preview.locator("pre").textContent()).toBe(JSON.stringify(CONFIG, null, 2));

    // A large text file: only its first 256 KiB are asked for.
    const ranged = page.waitForResponse((r) => r.url().includes("/blobs/") && r.url().includes("name=big.log"));
    await page.getByRole("button", { name: "Preview logs/big.log" }).click();
    expect((await ranged).status()).toBe(206);
    await expect.poll(() => preview.locator("pre").textContent().then((t) => t?.length)).toBe(256 * 1024);
    expect(await preview.textContent()).toContain("The first 256 KiB of 300 KiB.");
    expect((await preview.locator("pre").textContent())!.startsWith("line 000000 xxx")).toBe(true);

    // Text: as it is, markup shown as text.
    await page.getByRole("button", { name: "Preview notes.txt" }).click();
    await expect.poll(() => preview.locator("pre").textContent()).toBe(NOTES);
    expect(await preview.locator("b").count()).toBe(0);
    expect(page.url()).toContain("file=notes.txt");

    // CSV: a table of the first rows, the quoted delimiter kept in its cell.
    await page.getByRole("button", { name: "Preview rows.csv" }).click();
    await expect.poll(() => preview.locator("thead th").allTextContents()).toEqual(["step", "loss", "label"]);
    expect(await preview.locator("tbody tr").count()).toBe(60);
    expect(await cells(preview.locator("tbody tr").first())).toEqual(["0", "0.1000", "cat, tabby"]);
    await screenshot(page, "artifact-version");

    // Image: drawn from its download URL.
    await page.getByRole("button", { name: "Preview plot.png" }).click();
    const image = preview.locator("img");
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(8);
    expect(await image.evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(6);

    // The open file is in the URL: a reload opens it again.
    await page.reload();
    await expect.poll(() => region("Preview").locator("h2").textContent()).toBe("Preview of plot.png");

    // The metadata as JSON.
    expect(await region("Metadata").locator("pre").textContent()).toBe(JSON.stringify({ rows: 60, source: { kind: "e2e" } }, null, 2));
  });

  it("should download a file's bytes by its link, with no token", async () => {
    await page.goto(`${web.url}/projects/${PROJECT}/artifacts/samples/v/2`);
    const link = region("Files").locator("tbody tr", { hasText: "plot.png" }).getByRole("link", { name: "Download" });
    await link.waitFor();
    expect(await link.getAttribute("download")).toBe("plot.png");
    const response = await fetch(new URL((await link.getAttribute("href"))!, web.url));
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(PLOT)).toBe(true);
  });

  it("should draw a version's lineage two steps each way and open a run from the graph", async () => {
    await page.goto(`${web.url}/projects/${PROJECT}/artifacts/samples/v/2`);
    await expect.poll(graphLabels).toEqual(["prepare", "resnet:v1", "samples:v2", "train"]);
    expect(await region("Lineage").locator("[role=img]").getAttribute("aria-label"))
      .toBe("Lineage graph. prepare produced samples:v2. samples:v2 was used by train. train produced resnet:v1.");
    await region("Lineage").locator("svg text", { hasText: /^train$/ }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/runs/${train}`);
  });

  it("should show the versions a run logged and used, and open a version from its graph", async () => {
    await page.goto(`${web.url}/runs/${train}`);
    await page.getByRole("navigation", { name: "Run views" }).getByRole("link", { name: "Artifacts" }).click();
    const logged = region("Logged").locator("tbody tr");
    await expect.poll(() => logged.count()).toBe(1);
    expect((await cells(logged.first())).slice(0, 6)).toEqual(["resnet", "model", "v1", "latest", "1", "2 KiB"]);
    expect((await cells(region("Used").locator("tbody tr").first())).slice(0, 4)).toEqual(["samples", "dataset", "v2", "latestbest"]);
    await expect.poll(graphLabels).toEqual(["prepare", "resnet:v1", "samples:v2", "train"]);
    await screenshot(page, "artifact-run");
    await region("Lineage").locator("svg text", { hasText: /^resnet:v1$/ }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/projects/${PROJECT}/artifacts/resnet/v/1`);
    await expect.poll(() => region("Files").locator("tbody tr").count()).toBe(1);
    // A model file has no preview.
    expect(await region("Files").getByRole("button").count()).toBe(0);

    await page.goto(`${web.url}/runs/${prepare}/artifacts`);
    await expect.poll(() => region("Used").textContent()).toContain("This run used no artifact");
  });

  it("should say when an artifact or a version does not exist", async () => {
    await page.goto(`${web.url}/projects/${PROJECT}/artifacts/missing`);
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Not found");
    await page.goto(`${web.url}/projects/${PROJECT}/artifacts/samples/v/9`);
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Not found");
    await page.goto(`${web.url}/projects/${PROJECT}/artifacts/samples/v/production`);
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Not found");
  });
});
