import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import { connect, createServer as createNetServer } from "node:net";
import type { Duplex } from "node:stream";
import { loadavg, tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";

/** The built webapp; TRACKSTACK_STATIC serves another build (an older one, to measure before and after side by side). */
const STATIC_ROOT = process.env.TRACKSTACK_STATIC ?? join(import.meta.dirname, "..", "target", "classes", "static");
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/**
 * The real server from $TRACKSTACK_JAR on a free port with a fresh data directory; `properties` are extra
 * Spring properties (`trackstack.limits.subscriber-buffer`, say). It leads a process group of its own, with the
 * PostgreSQL it starts: `pid` is the group's.
 */
export async function startServer(properties: Record<string, string | number> = {}): Promise<{ url: string; pid: number; dataDir: string; stop: () => Promise<void> }> {
  const jar = process.env.TRACKSTACK_JAR;
  if (!jar || !existsSync(jar)) throw new Error("Set TRACKSTACK_JAR to the path of a trackstack server jar");
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "trackstack-e2e-"));
  const args = [`--server.port=${port}`, "--server.address=127.0.0.1", `--trackstack.data-dir=${dataDir}`,
    ...Object.entries(properties).map(([key, value]) => `--${key}=${value}`)];
  const java: ChildProcess = spawn("java", ["-jar", jar, ...args], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let log = "";
  java.stdout!.on("data", (chunk) => (log += chunk));
  java.stderr!.on("data", (chunk) => (log += chunk));
  const stop = async () => {
    if (java.exitCode === null) {
      java.kill("SIGTERM");
      await new Promise((r) => java.once("exit", r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  // generous: a busy shared CI machine can take minutes to start the JVM and the embedded PostgreSQL
  const deadline = Date.now() + 170_000;
  while (!(await fetch(`${url}/actuator/health`).then((r) => r.ok, () => false))) {
    if (java.exitCode !== null || Date.now() > deadline) {
      await stop(); // never leave a server (and its PostgreSQL) behind
      throw new Error(`The server ${java.exitCode !== null ? "exited" : "did not become healthy"}:\n${log.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { url, pid: java.pid!, dataDir, stop };
}

/**
 * Serves the freshly built webapp (the jar serves the one built into it) and proxies /graphql, including
 * the WebSocket upgrade, and the HTTP API (/api/: artifact uploads and downloads) to the server. Deep links fall back to index.html as the real server does.
 * `setOffline(true)` cuts the proxied WebSockets as a network failure would and refuses new ones until
 * `setOffline(false)`.
 */
export async function startStaticServer(backend: string): Promise<{ url: string; setOffline: (offline: boolean) => void; stop: () => Promise<void> }> {
  if (!existsSync(join(STATIC_ROOT, "index.html"))) throw new Error("Build the webapp first (npm run build)");
  const target = new URL(backend);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, "http://x").pathname);
    if (path.startsWith("/graphql") || path.startsWith("/actuator") || path.startsWith("/api/")) {
      const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (response) => {
        res.writeHead(response.statusCode!, response.headers);
        response.pipe(res);
      });
      upstream.on("error", () => res.writeHead(502).end());
      req.pipe(upstream);
      return;
    }
    const file = normalize(join(STATIC_ROOT, path));
    const isAsset = file.startsWith(STATIC_ROOT) && existsSync(file) && extname(file) !== "";
    const body = readFileSync(isAsset ? file : join(STATIC_ROOT, "index.html"));
    res.writeHead(isAsset || /^\/($|projects|runs|compare|evals)/.test(path) ? 200 : 404, { "Content-Type": isAsset ? (TYPES[extname(file)] ?? "application/octet-stream") : "text/html" });
    res.end(body);
  });
  const webSockets = new Set<Duplex>();
  let offline = false;
  server.on("upgrade", (req, socket, head) => {
    if (offline) return void socket.destroy();
    const upstream = connect(Number(target.port), target.hostname, () => {
      const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join("\r\n");
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    webSockets.add(socket);
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
    socket.on("close", () => {
      webSockets.delete(socket);
      upstream.destroy();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    setOffline: (value) => {
      offline = value;
      if (offline) webSockets.forEach((socket) => socket.destroy());
    },
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A GraphQL call that fails the test on any error; `headers` for a server that requires a token. */
export async function gql<T = Record<string, any>>(server: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(`${server}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

export async function seedRun(server: string, project: string, model: string, name: string, hyperparameters: Record<string, unknown>): Promise<string> {
  const { createModel } = await gql(server, "mutation($p: String!, $n: String!) { createModel(project: $p, name: $n) { id } }", { p: project, n: model });
  const { createRun } = await gql(server, "mutation($m: ID!, $n: String, $h: JSON) { createRun(modelId: $m, name: $n, hyperparameters: $h) { id } }",
    { m: createModel.id, n: name, h: hyperparameters });
  return createRun.id;
}

export type PointInput = { name: string; split?: string | null; step: number; value: number | string };

export async function logPoints(server: string, runId: string, points: PointInput[]): Promise<void> {
  await gql(server, "mutation($r: ID!, $p: [MetricPointInput!]!) { logMetrics(runId: $r, points: $p) { accepted } }", { r: runId, p: points });
}

/** Points `f(step)` of a series at the steps from `from` up to `to`. */
export const curve = (name: string, split: string | null, from: number, to: number, f: (step: number) => number | string): PointInput[] =>
  Array.from({ length: to - from }, (_, i) => ({ name, split, step: from + i, value: f(from + i) }));

/** Darker than a band (15% of a line's colour; R + G + B about 705 on white) is. */
export const BAND = 740;
/**
 * Darker than a line in `colour` faded to 10% of it, lighter than the line at full strength (R + G + B on white,
 * half-way): a line at full strength. Runs have colours of their own, some light (a pink line is 579 at full strength).
 */
export function lineLevel(colour: string): number {
  const full = rgbOf(colour).reduce((sum, c) => sum + c, 0);
  return (full + (765 - 0.1 * (765 - full))) / 2;
}

/**
 * The share of pixels down the middle half of the centre column of a chart card's canvas that are darker than
 * `darkerThan` (R + G + B on the white page; the canvas is transparent where nothing is drawn).
 */
export const tintedMiddle = (card: Locator, darkerThan = BAND) =>
  card.locator("canvas").first().evaluate((canvas: HTMLCanvasElement, darkerThan) => {
    const { data } = canvas.getContext("2d")!.getImageData(Math.round(canvas.width / 2), 0, 1, canvas.height);
    const overWhite = (i: number) => 255 - (data[i + 3] / 255) * (255 - data[i]);
    const tinted = (i: number) => overWhite(i) + overWhite(i + 1) + overWhite(i + 2) < darkerThan;
    let count = 0;
    for (let y = Math.round(canvas.height / 4); y < Math.round((canvas.height * 3) / 4); y++) if (tinted(4 * y)) count++;
    return count / Math.round(canvas.height / 2);
  }, darkerThan);

/** A colour `#rrggbb` as its red, green and blue. */
export const rgbOf = (colour: string) => [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
/** A colour `#rrggbb` as getComputedStyle tells it. */
export const cssRgb = (colour: string) => `rgb(${rgbOf(colour).join(", ")})`;

/**
 * Pixels of a chart card's canvas in a colour (a run's, see runColor), give or take anti-aliasing: opaque (a line's),
 * or with `band` at about a band's opacity.
 */
export const pixelsOf = (card: Locator, colour: string, band = false) =>
  card.locator("canvas").first().evaluate((canvas: HTMLCanvasElement, [[r, g, b], band]) => {
    const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
    const [minAlpha, maxAlpha, near] = band ? [15, 120, 40] : [250, 256, 12];
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > minAlpha && data[i + 3] < maxAlpha && Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < near) count++;
    }
    return count;
  }, [rgbOf(colour), band] as const);

/** Runs a test at a laptop's 1366×768, then back to the harness's 1440×900. */
export async function atLaptopSize(page: Page, run: () => Promise<void>): Promise<void> {
  await page.setViewportSize({ width: 1366, height: 768 });
  try {
    await run();
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
  }
}

/** A 1366×768 screenshot of what is above the fold, kept in ARTEFACTS. */
export const foldShot = (page: Page, name: string) => page.screenshot({ path: join(ARTEFACTS, `${name}-1366x768.png`) });

/** What a dashboard test file drives: the packaged server, the static server of the built webapp, Chromium and a page. */
export interface Dashboard {
  server: Awaited<ReturnType<typeof startServer>>;
  web: Awaited<ReturnType<typeof startStaticServer>>;
  browser: Browser;
  page: Page;
}

/**
 * A width × height PNG (signature, IHDR, one IDAT, IEND), 8 bits per channel: RGBA as `pixel` answers it (a gradient
 * by default), or grey when it answers one channel (a mask's class ids).
 */
export function png(width: number, height: number, pixel: (x: number, y: number) => number[] = (x, y) => [x * 30, y * 40, 200, 255]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const channels = pixel(0, 0).length;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, channels === 1 ? 0 : 6, 0, 0, 0], 8); // 8 bits per channel, grey or RGBA
  const rows = Buffer.alloc((width * channels + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows.set(pixel(x, y), y * (width * channels + 1) + 1 + x * channels);
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", header), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

/** A full-page screenshot in ARTEFACTS. */
export const screenshot = (page: Page, name: string) => page.screenshot({ path: join(ARTEFACTS, `${name}.png`), fullPage: true });

/**
 * Registers the hooks of a dashboard test file: before all, starts the server (with `properties`), the static
 * server and Chromium with a 1440×900 page, and hands them to `ready` (which may seed data); after a failed test,
 * a screenshot named after it; after all, stops everything.
 */
export function useDashboard(ready: (dashboard: Dashboard) => void | Promise<void>, properties: Record<string, string | number> = {}): void {
  let dashboard: Partial<Dashboard> = {};
  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    const server = await startServer(properties);
    dashboard = { server };
    const web = await startStaticServer(server.url);
    dashboard = { server, web };
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
    dashboard = { server, web, browser, page: await browser.newPage({ viewport: { width: 1440, height: 900 } }) };
    await ready(dashboard as Dashboard);
  }, 240_000);
  afterEach(async ({ task }) => {
    if (task.result?.state === "fail" && dashboard.page) await screenshot(dashboard.page, `failed-${task.name.replace(/\W+/g, "-")}`);
  });
  afterAll(async () => {
    await dashboard.browser?.close();
    await dashboard.web?.stop();
    await dashboard.server?.stop();
  });
}

export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
export const ARTEFACTS = join(import.meta.dirname, "..", "target", "e2e");

/** A task of the page's main thread: its wall-clock duration and the CPU time it took (the rest is waiting for a CPU). */
export interface MainThreadTask {
  /** From the start of the recording. */
  atMs: number;
  wallMs: number;
  cpuMs: number;
  /** What ran in it over 2 ms (Chromium's timeline events: TimerFire, FireAnimationFrame, MinorGC, …), as "name wall/cpu". */
  ran: string[];
}

/**
 * Records the page's main-thread tasks (Chromium's "toplevel" and "devtools.timeline" trace events, through CDP)
 * while `during` runs, and answers those longer than `minMs` of wall-clock time, with what ran in them. On a busy
 * machine a task's wall time grows with the load; its CPU time is what the page's code costs.
 */
export async function mainThreadTasks(page: Page, during: () => Promise<void>, minMs = 50): Promise<MainThreadTask[]> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  // (the protocol's typings call the events string maps; they hold numbers too)
  cdp.on("Tracing.dataCollected", ({ value }) => events.push(...(value as unknown as TraceEvent[])));
  await cdp.send("Tracing.start", { categories: "toplevel,devtools.timeline", transferMode: "ReportEvents" });
  try {
    await during();
  } finally {
    const complete = new Promise((resolve) => cdp.once("Tracing.tracingComplete", resolve));
    await cdp.send("Tracing.end");
    await complete;
    await cdp.detach();
  }
  // The page's renderer main thread: of the renderers' main threads, the one that ran most.
  const mains = events.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain");
  const onThread = (m: TraceEvent) => events.filter((e) => e.pid === m.pid && e.tid === m.tid && e.ph === "X");
  const threads = mains.map(onThread).map((all) => ({ all, tasks: all.filter((e) => e.name === TASK) }));
  const { all, tasks } = threads.sort((a, b) => b.tasks.length - a.tasks.length)[0] ?? { all: [], tasks: [] };
  const start = Math.min(...tasks.map((e) => e.ts));
  const ms = (micros = 0) => Math.round(micros / 1000);
  return tasks
    .filter((task) => task.dur! > minMs * 1000)
    .map((task) => ({
      atMs: ms(task.ts - start),
      wallMs: ms(task.dur),
      cpuMs: ms(task.tdur),
      ran: all
        .filter((e) => e !== task && e.name !== TASK && e.ts >= task.ts && e.ts + e.dur! <= task.ts + task.dur! && e.dur! > 2000)
        .map((e) => `${e.name} ${ms(e.dur)}/${ms(e.tdur)}`),
    }));
}

/**
 * Main-thread tasks over 50 ms: how many, the longest, and the most CPU time one took (the machine's load stretches
 * the rest), and each with what ran in it.
 */
export const longTasks = (tasks: MainThreadTask[]) => ({
  longTasks: tasks.length,
  longestTaskMs: Math.max(0, ...tasks.map((t) => t.wallMs)),
  mostCpuMs: Math.max(0, ...tasks.map((t) => t.cpuMs)),
  tasksOver50MsCpu: tasks.filter((t) => t.cpuMs > 50).length,
  loadAverage: Math.round(loadavg()[0] * 10) / 10,
  tasks,
});

/**
 * Milliseconds from navigation until the page set the performance mark `drawnMark` (its charts drawn) and until the
 * next frame was painted, and the client's own share: from the last API response to drawn (parsing, shaping, ECharts).
 */
export async function renderTimes(page: Page, drawnMark: string): Promise<{ drawnMs: number; paintedMs: number; lastResponseMs: number; clientMs: number }> {
  await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, drawnMark, { timeout: 60_000 });
  return page.evaluate((mark) => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
    const drawn = performance.getEntriesByName(mark)[0].startTime;
    const responses = performance.getEntriesByType("resource").filter((e) => e.name.endsWith("/graphql")).map((e) => (e as PerformanceResourceTiming).responseEnd);
    const lastResponse = Math.max(0, ...responses.filter((t) => t <= drawn));
    resolve({ drawnMs: Math.round(drawn), paintedMs: Math.round(performance.now()), lastResponseMs: Math.round(lastResponse), clientMs: Math.round(drawn - lastResponse) });
  }))), drawnMark);
}

const TASK = "ThreadControllerImpl::RunTask";

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}
