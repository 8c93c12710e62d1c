import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import { connect, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";

const STATIC_ROOT = join(import.meta.dirname, "..", "target", "classes", "static");
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

/** The real server from $TRACKSTACK_JAR on a free port with a fresh data directory. */
export async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const jar = process.env.TRACKSTACK_JAR;
  if (!jar || !existsSync(jar)) throw new Error("Set TRACKSTACK_JAR to the path of a trackstack server jar");
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "trackstack-e2e-"));
  const java: ChildProcess = spawn("java", ["-jar", jar, `--server.port=${port}`, "--server.address=127.0.0.1", `--trackstack.data-dir=${dataDir}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  java.stdout!.on("data", (chunk) => (log += chunk));
  java.stderr!.on("data", (chunk) => (log += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (true) {
    if (java.exitCode !== null) throw new Error(`The server exited:\n${log.slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`The server did not become healthy:\n${log.slice(-3000)}`);
    const healthy = await fetch(`${url}/actuator/health`).then((r) => r.ok, () => false);
    if (healthy) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    stop: async () => {
      java.kill("SIGTERM");
      await new Promise((r) => (java.exitCode !== null ? r(null) : java.once("exit", r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Serves the freshly built webapp (the jar serves the one built into it) and proxies /graphql, including
 * the WebSocket upgrade, to the server. Deep links fall back to index.html as the real server does.
 */
export async function startStaticServer(backend: string): Promise<{ url: string; stop: () => Promise<void> }> {
  if (!existsSync(join(STATIC_ROOT, "index.html"))) throw new Error("Build the webapp first (npm run build)");
  const target = new URL(backend);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, "http://x").pathname);
    if (path.startsWith("/graphql") || path.startsWith("/actuator")) {
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
    res.writeHead(isAsset || /^\/($|projects|runs|compare)/.test(path) ? 200 : 404, { "Content-Type": isAsset ? (TYPES[extname(file)] ?? "application/octet-stream") : "text/html" });
    res.end(body);
  });
  server.on("upgrade", (req, socket, head) => {
    const upstream = connect(Number(target.port), target.hostname, () => {
      const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join("\r\n");
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

/** A GraphQL call that fails the test on any error. */
export async function gql<T = Record<string, any>>(server: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${server}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
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

export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
export const ARTEFACTS = join(import.meta.dirname, "..", "target", "e2e");
