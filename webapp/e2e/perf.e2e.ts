import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatNumber } from "../src/ui/dom";
import { ARTEFACTS, CHROMIUM_ARGS, gql, logPoints, longTasks, mainThreadTasks, renderTimes, seedRun, startServer, startStaticServer } from "./harness";

/**
 * The compare view of 20 runs × 4 metrics, and live updates of all of them. The issue's target is 1,000,000
 * points per series (80 M points): a first full render under 1.5 s, and no main-thread task over 50 ms while
 * every run logs 10 points/s. The server holds PERF_POINTS per series (20,000 by default; the build runs
 * 2,000), logged through the API, 10,000 per call and 4 calls at a time (about 10,000 points/s on a busy
 * 2-core machine). PERF_SEED=sql writes them straight into the server's embedded PostgreSQL with psql instead,
 * as bench/ seeds: minutes for the full size, where the API would take hours. The charts get the same shape
 * at any size (about one bucket per pixel, with min and max); what the size changes is the server's work.
 *
 * Then grouping: the compare view of 100 runs in 10 groups (by `lr`, their seeds apart), a line and a min–max band
 * per group from `seriesGroups`, against the same view ungrouped; the issue allows grouping to add 300 ms. Those runs
 * hold PERF_GROUP_POINTS per series (2,000 by default; the build runs 200), seeded as PERF_SEED says; each view is
 * measured PERF_GROUP_ROUNDS times (3 by default, their median; the build measures once).
 */
const RUNS = 20;
const METRICS = ["loss", "accuracy", "lr", "grad_norm"];
const POINTS = Number(process.env.PERF_POINTS ?? 20_000);
const SEED = process.env.PERF_SEED ?? "api";
const BATCH = 10_000;
const LIVE_SECONDS = 10;
const GROUP_RUNS = 100;
const GROUPS = 10;
const GROUP_POINTS = Number(process.env.PERF_GROUP_POINTS ?? 2_000);
const GROUP_ROUNDS = Number(process.env.PERF_GROUP_ROUNDS ?? 3);
/**
 * The server's (and its PostgreSQL's) nice value during the live phase. Here they share two cores with the
 * browser under test, and a page's task waits for a core while they handle the logging; in use they run on
 * another machine than the browser. PERF_SERVER_NICE=0 measures the machine as shared.
 */
const SERVER_NICE = Number(process.env.PERF_SERVER_NICE ?? 10);
/** The mark the metric panel sets once its charts are drawn. */
const CHARTS_DRAWN = "trackstack:charts-drawn";

let server: Awaited<ReturnType<typeof startServer>>;
let web: Awaited<ReturnType<typeof startStaticServer>>;
let browser: Browser;
const runIds: string[] = [];
const results: Record<string, unknown> = { runs: RUNS, metrics: METRICS.length, pointsPerSeries: POINTS };

/** Decays over about a tenth of the series, so that the curves look alike at any size. */
const decay = (run: number, points = POINTS) => (points / 10) * (1 + run / 20);
const value = (metric: number, run: number, step: number, points = POINTS) => Math.exp(-step / decay(run, points)) * (metric + 1) + 0.05 * Math.sin(step / 7 + run);

/** Runs `ids` with `points` per series of each metric, as PERF_SEED says; how long it took. */
async function seed(ids: string[], points: number): Promise<Record<string, unknown>> {
  const started = Date.now();
  await (SEED === "sql" ? seedWithSql(ids, points) : seedThroughApi(ids, points));
  const seconds = (Date.now() - started) / 1000;
  return { via: SEED, seconds, pointsPerSecond: Math.round((ids.length * METRICS.length * points) / seconds) };
}

async function seedThroughApi(ids: string[], points: number): Promise<void> {
  const jobs: (() => Promise<void>)[] = [];
  for (const [r, id] of ids.entries())
    for (const [m, name] of METRICS.entries())
      for (let from = 0; from < points; from += BATCH)
        jobs.push(() => logPoints(server.url, id, Array.from({ length: Math.min(BATCH, points - from) }, (_, i) => ({ name, step: from + i, value: value(m, r, from + i, points) }))));
  await Promise.all(Array.from({ length: 4 }, async () => { while (jobs.length) await jobs.shift()!(); }));
}

/**
 * Each series, its points, its rollups (the finest level folded in with the server's own statement, read from
 * the jar, the coarser ones built from the level below as the bench does) and its summary, with psql into the
 * embedded PostgreSQL the server started.
 */
async function seedWithSql(ids: string[], points: number): Promise<void> {
  const { serverInfo } = await gql(server.url, "{ serverInfo { levels } }");
  const widths = (serverInfo.levels as string[]).map((level) => /^rollup-(\d+)$/.exec(level)?.[1])
    .filter((width): width is string => width !== undefined).sort((a, b) => Number(a) - Number(b));
  if (!widths.length) throw new Error("PERF_SEED=sql seeds step rollups, which only the plain PostgreSQL storage keeps");
  const upsert = execFileSync("unzip", ["-p", process.env.TRACKSTACK_JAR!, "BOOT-INF/classes/db/storage/rollup-upsert.sql"], { encoding: "utf8" });
  const coarsen = readFileSync("../bench/src/main/resources/rollup-coarsen.sql", "utf8");
  const port = readFileSync(join(server.dataDir, "postmaster.pid"), "utf8").split("\n")[3];
  const script = ids.flatMap((id, r) => METRICS.map((name, m) => `
    insert into metric_series (run_id, name) values (${id}, '${name}') returning id as series \\gset
    insert into metric_point (series_id, step, ts, value)
      select :series, g, now() - (${points} - g) * interval '10 milliseconds', exp(-g::float8 / ${decay(r, points)}) * ${m + 1} + 0.05 * sin(g / 7.0 + ${r})
      from generate_series(0, ${points - 1}) g;
    ${upsert.replace("%s", `metric_point p cross join unnest('{${widths[0]}}'::int[]) as l(level) where p.series_id = :series`)};
    ${widths.slice(1).map((coarse, i) => coarsen.replaceAll("{fine}", widths[i]).replaceAll("{coarse}", coarse).replaceAll("{where}", "p.series_id = :series")).join(";\n")};
    update metric_series set point_count = ${points}, last_step = ${points - 1},
      last_value = (select value from metric_point where series_id = :series and step = ${points - 1}),
      (min_step, min_value) = (select step, value from metric_point where series_id = :series order by value, step limit 1),
      (max_step, max_value) = (select step, value from metric_point where series_id = :series order by value desc, step limit 1)
    where id = :series;`));
  // VACUUM and the checkpoint now, so that neither an autovacuum of the seeded gigabytes nor their writing out
  // overlaps the measured renders.
  // the embedded PostgreSQL's password, which the server made at its first start
  const password = readFileSync(join(server.dataDir, "trackstack-db-password"), "utf8").trim();
  await run("psql", ["-h", "localhost", "-p", port, "-U", "postgres", "-d", "postgres", "-q", "-v", "ON_ERROR_STOP=1"], script.join("\n") + "\nvacuum analyze;\ncheckpoint;\n", { PGPASSWORD: password });
}

function run(command: string, args: string[], input: string, env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "ignore", "pipe"], env: { ...process.env, ...env } });
    let errors = "";
    child.stderr.on("data", (chunk) => (errors += chunk));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} failed (${code}): ${errors}`))));
    child.stdin.end(input);
  });
}

/**
 * Opens the compare view of `ids` (all 20 runs by default) in the page, with `query`: its render times and long
 * tasks, and its series (or seriesGroups) requests' durations.
 */
async function firstRender(page: Page, ids = runIds, query = ""): Promise<Record<string, unknown>> {
  const seriesRequests: number[] = [];
  page.on("requestfinished", (request) => {
    if (request.postData()?.includes("query Series")) seriesRequests.push(Math.round(request.timing().responseEnd));
  });
  let times = {};
  const tasks = await mainThreadTasks(page, async () => {
    await page.goto(`${web.url}/compare/${ids.join(",")}${query}`);
    times = await renderTimes(page, CHARTS_DRAWN);
  });
  return { ...times, seriesRequestsMs: seriesRequests, ...longTasks(tasks) };
}

beforeAll(async () => {
  mkdirSync(ARTEFACTS, { recursive: true });
  server = await startServer();
  web = await startStaticServer(server.url);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  for (let r = 0; r < RUNS; r++) runIds.push(await seedRun(server.url, "perf", "m", `run-${r}`, { lr: [0.1, 0.01, 0.001, 0.0001][r % 4], seed: r }));
  results.seed = await seed(runIds, POINTS);
}, 4 * 3_600_000);

afterAll(async () => {
  writeFileSync(join(ARTEFACTS, "perf.json"), JSON.stringify(results, null, 2));
  console.log("performance:", JSON.stringify(results, null, 2));
  await browser?.close();
  await web?.stop();
  await server?.stop();
});

describe("compare view of 20 runs × 4 metrics", () => {
  it("should render the seeded series and stay responsive while all runs log 10 points/s", async () => {
    // The first visit meets a server that has just started, whose JVM still interprets the query paths. A server
    // as it runs day to day has drawn many charts: after a few more visits, three are measured, each in a new page
    // with an empty cache, and their median is the result (single visits on this shared machine vary by a third).
    const newPage = () => browser.newPage({ viewport: { width: 1440, height: 900 } });
    const visit = async () => {
      const page = await newPage();
      const render = await firstRender(page);
      await page.close();
      return render;
    };
    results.firstRenderColdServer = await visit();
    for (let i = 0; i < 3; i++) await visit();
    const warm = [await visit(), await visit()];
    const page = await newPage();
    warm.push(await firstRender(page));
    const drawn = warm.map((render) => render.drawnMs as number).sort((a, b) => a - b);
    results.firstRender = { medianDrawnMs: drawn[1], visits: warm };
    expect(await page.locator(".chart-card").count()).toBe(METRICS.length);
    await page.screenshot({ path: join(ARTEFACTS, "perf-compare.png"), fullPage: true });

    let step = POINTS;
    let sent = 0;
    // only ever raised: a user may not lower a nice value again (the test after this one hardly uses the server)
    if (SERVER_NICE) execFileSync("renice", ["-n", String(SERVER_NICE), "-g", String(server.pid)], { stdio: "ignore" });
    const liveTasks = await mainThreadTasks(page, async () => {
      const stopAt = Date.now() + LIVE_SECONDS * 1000;
      // 10 points/s per run (and metric), sent as a training script would: a batch of 5 steps every 500 ms
      while (Date.now() < stopAt) {
        const tick = Date.now();
        const steps = Array.from({ length: 5 }, (_, i) => step + i);
        await Promise.all(runIds.map((id, r) => logPoints(server.url, id, steps.flatMap((s) => METRICS.map((name, m) => ({ name, step: s, value: value(m, r, s) }))))));
        sent += RUNS;
        step += steps.length;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 500 - (Date.now() - tick))));
      }
      await page.waitForTimeout(1000);
    });
    results.live = {
      seconds: LIVE_SECONDS,
      serverNice: SERVER_NICE,
      stepsPerRunPerSecond: Math.round(((step - POINTS) / LIVE_SECONDS) * 10) / 10,
      logCalls: sent,
      ...longTasks(liveTasks),
    };
    // the live points reached the chart: its table shows run 0's last logged loss
    const firstRow = page.locator(".chart-card[data-metric=loss] .stats tbody tr").first();
    await expect.poll(() => firstRow.locator("td").nth(1).textContent()).toBe(formatNumber(value(0, 0, step - 1)));
    await page.close();
  }, 300_000);

  it("should render synthetic series of the full shape (1000 buckets with min/max each)", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const time = Date.parse("2026-11-23T00:00:00Z");
    const steps = Array.from({ length: 1000 }, (_, b) => b * 1000 + 999);
    const series = runIds.flatMap((runId, r) => METRICS.map((name, m) => {
      const values = steps.map((step) => value(m, r, (step / 1_000_000) * POINTS));
      return {
        runId, name, split: null, downsampled: true, resolution: "rollup-512:1000",
        steps, times: steps.map((step) => new Date(time + step * 10).toISOString()), values,
        mins: values.map((v) => v * 0.9), maxes: values.map((v) => v * 1.1), counts: steps.map(() => 1000),
      };
    }));
    await page.route("**/graphql", async (route) => {
      const body = route.request().postData() ?? "";
      if (!body.includes("query Series")) return route.continue();
      const names: string[] | undefined = JSON.parse(body).variables.names;
      const answer = series.filter((s) => !names || names.includes(s.name));
      await route.fulfill({ contentType: "application/json", body: JSON.stringify({ data: { series: answer } }) });
    });
    let times = {};
    const tasks = await mainThreadTasks(page, async () => {
      await page.goto(`${web.url}/compare/${runIds.join(",")}`);
      times = await renderTimes(page, CHARTS_DRAWN);
    });
    results.syntheticFullShape = { series: series.length, pointsPerSeries: 1000, ...times, ...longTasks(tasks) };
    await page.screenshot({ path: join(ARTEFACTS, "perf-synthetic.png"), fullPage: true });
    expect(await page.locator(".chart-card").count()).toBe(METRICS.length);
    await page.close();
  }, 120_000);
});

describe("compare view of 100 runs in 10 groups", () => {
  it("should draw a line and a band per group at most 300 ms later than a line per run", async () => {
    const run = (r: number) => seedRun(server.url, "perf-groups", "m", `g-${String(r).padStart(2, "0")}`, { lr: 10 ** -(1 + (r % GROUPS) / 3), seed: r });
    // the first alone: it makes the project and model that the others find
    const ids = [await run(0), ...await Promise.all(Array.from({ length: GROUP_RUNS - 1 }, (_, r) => run(r + 1)))];
    const seeded = await seed(ids, GROUP_POINTS);
    const visit = async (query: string): Promise<Record<string, unknown>> => {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const render = await firstRender(page, ids, query);
      const shown = { charts: await page.locator(".chart-card").count(), groups: await page.locator(".run-list .run-group").count() };
      await page.close();
      return { ...render, ...shown };
    };
    const grouped = "?group=lr";
    // a first visit of each to a server that has not run these queries yet, then one of each in turns, so that the
    // machine's load (noisy here) weighs on both alike; the medians are compared
    await visit("");
    await visit(grouped);
    const visits: Record<"ungrouped" | "grouped", Record<string, unknown>[]> = { ungrouped: [], grouped: [] };
    for (let i = 0; i < GROUP_ROUNDS; i++) {
      visits.ungrouped.push(await visit(""));
      visits.grouped.push(await visit(grouped));
    }
    const median = (of: typeof visits.grouped) => of.map((render) => render.drawnMs as number).sort((a, b) => a - b)[Math.floor(of.length / 2)];
    results.grouping = {
      runs: GROUP_RUNS, groups: GROUPS, pointsPerSeries: GROUP_POINTS, seed: seeded,
      ungroupedMedianDrawnMs: median(visits.ungrouped),
      groupedMedianDrawnMs: median(visits.grouped),
      addedMs: median(visits.grouped) - median(visits.ungrouped),
      visits,
    };
    for (const render of [...visits.ungrouped, ...visits.grouped]) expect(render.charts).toBe(METRICS.length);
    expect(visits.grouped.map((render) => render.groups)).toEqual(visits.grouped.map(() => GROUPS));
    expect(visits.ungrouped.map((render) => render.groups)).toEqual(visits.ungrouped.map(() => 0));
  }, 600_000);
});
