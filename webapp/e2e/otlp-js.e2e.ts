import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import { gunzipSync } from "node:zlib";
import { context, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, gql, startServer } from "./harness";

// OpenTelemetry's JavaScript SDK and its OTLP/HTTP exporter, as a Node.js agent uses them, against the packaged
// server, which requires API tokens; a recording proxy in between shows what the exporter sent.
const ADMIN_TOKEN = "otlp-js-e2e-admin-token-0123456789abcdef";
const ADMIN = { Authorization: `Bearer ${ADMIN_TOKEN}` };

interface Exchange {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  status: number;
  answerType: string;
}

let server: Awaited<ReturnType<typeof startServer>>;
let proxy: Server;
let proxyUrl: string;
const exchanges: Exchange[] = [];

/** Forwards every request to the server as it came, and records it with the server's answer. */
async function startRecordingProxy(target: URL): Promise<void> {
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (response) => {
        exchanges.push({ path: req.url!, headers: req.headers, body, status: response.statusCode!, answerType: String(response.headers["content-type"]) });
        res.writeHead(response.statusCode!, response.headers);
        response.pipe(res);
      });
      upstream.on("error", () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => proxy.listen(port, "127.0.0.1", resolve));
  proxyUrl = `http://127.0.0.1:${port}`;
}

async function createToken(scope: "READ" | "WRITE"): Promise<string> {
  const { createApiToken } = await gql(server.url, "mutation($s: ApiTokenScope!) { createApiToken(name: \"otlp-js\", scope: $s) { secret } }", { s: scope }, ADMIN);
  return createApiToken.secret;
}

/** A tracer whose spans the exporter sends in one request on `flush`, with the given headers. */
function tracerWith(headers: Record<string, string>): { tracer: Tracer; flush: () => Promise<void> } {
  const exporter = new OTLPTraceExporter({ url: `${proxyUrl}/v1/traces`, headers });
  const provider = new TracerProvider({
    // The header chooses the project, not this resource attribute.
    resource: resourceFromAttributes({ "service.name": "js-agent", "trackstack.project": "not-this-one" }),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  return { tracer: provider.getTracer("otlp-js-e2e", "1.0.0"), flush: () => provider.forceFlush() };
}

/** An agent that asks an LLM and calls a tool that fails: three spans of one trace. */
function runAgent(tracer: Tracer): { traceId: string; agentId: string; llmId: string; toolId: string } {
  const agent = tracer.startSpan("invoke_agent weather", { attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "weather" } });
  const inAgent = trace.setSpan(context.active(), agent);
  const llm = tracer.startSpan("chat gpt-4o", {
    attributes: {
      "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
      "gen_ai.response.model": "gpt-4o-2024-08-06", "gen_ai.usage.input_tokens": 812, "gen_ai.usage.output_tokens": 64,
      "gen_ai.conversation.id": "conversation-7",
    },
  }, inAgent);
  llm.end();
  const tool = tracer.startSpan("execute_tool get_weather", { attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather" } }, inAgent);
  tool.recordException(new Error("weather service unreachable"));
  tool.setStatus({ code: SpanStatusCode.ERROR, message: "weather service unreachable" });
  tool.end();
  agent.end();
  return { traceId: agent.spanContext().traceId, agentId: agent.spanContext().spanId, llmId: llm.spanContext().spanId, toolId: tool.spanContext().spanId };
}

beforeAll(async () => {
  server = await startServer({ "trackstack.auth.mode": "required", "trackstack.auth.admin-token": ADMIN_TOKEN });
  await startRecordingProxy(new URL(server.url));
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await server?.stop();
});

describe("the OpenTelemetry JS exporter", () => {
  it("sends a trace of GenAI spans as OTLP JSON that reads back as a tree with its mapped fields", async () => {
    const { tracer, flush } = tracerWith({ Authorization: `Bearer ${await createToken("WRITE")}`, "X-Trackstack-Project": "js-agent" });
    const ids = runAgent(tracer);
    await flush();

    // What went over the wire: OTLP JSON (the exporter's default), ids in hex as the JSON encoding has them.
    const sent = exchanges.filter((e) => e.path === "/v1/traces");
    expect(sent.map((e) => [e.status, e.headers["content-type"], e.answerType])).toEqual([[200, "application/json", "application/json"]]);
    const raw = sent[0].headers["content-encoding"] === "gzip" ? gunzipSync(sent[0].body) : sent[0].body;
    const request = JSON.parse(raw.toString("utf8"));
    const wireSpans = request.resourceSpans[0].scopeSpans[0].spans;
    expect(wireSpans.map((s: { traceId: string; spanId: string }) => [s.traceId, s.spanId]).sort())
      .toEqual([ids.agentId, ids.llmId, ids.toolId].map((spanId) => [ids.traceId, spanId]).sort());

    const { trace: stored } = await gql(server.url, `query($id: ID!) { trace(id: $id) {
        id project name spanType status spanCount errorCount inputTokens outputTokens totalTokens serviceName
        spans { spanId parentSpanId name kind spanType operation provider model inputTokens outputTokens sessionId
                status statusMessage scopeName scopeVersion events } } }`, { id: ids.traceId }, ADMIN);
    expect(stored).toMatchObject({
      id: ids.traceId, project: "js-agent", name: "invoke_agent weather", spanType: "AGENT", status: "ERROR", spanCount: 3,
      errorCount: 1, inputTokens: 812, outputTokens: 64, totalTokens: 876, serviceName: "js-agent",
    });
    const spans = Object.fromEntries(stored.spans.map((s: { spanId: string }) => [s.spanId, s]));
    expect(spans[ids.agentId]).toMatchObject({ parentSpanId: null, spanType: "AGENT", kind: "INTERNAL", status: "UNSET", scopeName: "otlp-js-e2e", scopeVersion: "1.0.0" });
    expect(spans[ids.llmId]).toMatchObject({
      parentSpanId: ids.agentId, spanType: "LLM", operation: "chat", provider: "openai", model: "gpt-4o", inputTokens: 812,
      outputTokens: 64, sessionId: "conversation-7", status: "UNSET",
    });
    expect(spans[ids.toolId]).toMatchObject({ parentSpanId: ids.agentId, spanType: "TOOL", model: null, status: "ERROR", statusMessage: "weather service unreachable" });
    expect(spans[ids.toolId].events.map((e: { name: string }) => e.name)).toEqual(["exception"]);

    const { traces } = await gql(server.url, `query($f: TraceFilter) { traces(project: "js-agent", filter: $f) {
        totalCount edges { node { id spanCount model } } } }`, { f: { models: ["gpt-4o"], status: ["ERROR"] } }, ADMIN);
    // (a trace's model is its root span's: the agent has none; the filter matches any span's)
    expect(traces).toEqual({ totalCount: 1, edges: [{ node: { id: ids.traceId, spanCount: 3, model: null } }] });
    const { traces: elsewhere } = await gql(server.url, `{ traces(project: "not-this-one") { totalCount } }`, {}, ADMIN);
    expect(elsewhere.totalCount).toBe(0);
  });

  it("is refused without a token and stores nothing", async () => {
    exchanges.length = 0;
    const { tracer, flush } = tracerWith({ "X-Trackstack-Project": "js-agent" });
    const { traceId } = runAgent(tracer);
    await expect(flush()).rejects.toMatchObject([{ name: "OTLPExporterError", code: 401 }]); // one per span processor

    expect(exchanges.map((e) => [e.path, e.status])).toEqual([["/v1/traces", 401]]);
    const { trace: stored } = await gql(server.url, "query($id: ID!) { trace(id: $id) { id } }", { id: traceId }, ADMIN);
    expect(stored).toBeNull();
  });
});
