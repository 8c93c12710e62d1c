import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTEFACTS, CHROMIUM_ARGS, gql, startServer } from "./harness";

// GraphiQL as the jar serves it (its page, its Content-Security-Policy), to a browser that can reach nothing but
// the server, which requires tokens: the token goes in through the Headers tab.
const ADMIN_TOKEN = "graphiql-e2e-admin-token-0123456789abcdef";
const AUTHORIZATION = { Authorization: `Bearer ${ADMIN_TOKEN}` };

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Requests and WebSockets the pages tried beyond the server's origin (all refused). */
const elsewhere: string[] = [];
/** Content-Security-Policy violations and uncaught errors the pages reported. */
const violations: string[] = [];
const errors: string[] = [];

/** The shown editor of a section, by its aria-label (Variables and Headers share one, the other editor hidden). */
const editor = (section: string, on = page) => on.locator(`section[aria-label="${section}"] .monaco-editor`).filter({ visible: true });

/** The text of an editor (monaco renders spaces as no-break spaces). */
const editorText = (section: string, on = page) =>
  editor(section, on).locator(".view-lines").innerText().then((text) => text.replace(/\u00a0/g, " "));

/** Replaces the text of an editor as a user would type it (without monaco closing brackets as it goes). */
async function typeInto(section: string, text: string, on = page): Promise<void> {
  await editor(section, on).click();
  await on.keyboard.press("ControlOrMeta+A");
  await on.keyboard.press("Delete"); // else the "{" typed over a selection would surround it with braces
  await on.keyboard.insertText(text);
}

const run = (on = page) => on.getByRole("button", { name: "Execute query (Ctrl-Enter)" }).click();

/**
 * A browser context that reaches nothing but the server: any request to another origin is refused and recorded
 * (the browser resolves no name either), as are WebSockets elsewhere, CSP violations and uncaught errors.
 */
async function offlineContext(): Promise<BrowserContext> {
  const offline = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await offline.route("**/*", (route) => {
    if (new URL(route.request().url()).origin === server.url) return route.continue();
    elsewhere.push(route.request().url());
    return route.abort("internetdisconnected");
  });
  offline.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text().slice(0, 300));
  });
  offline.on("page", (opened) => {
    opened.on("pageerror", (error) => errors.push(error.message));
    opened.on("websocket", (socket) => {
      if (new URL(socket.url()).host !== new URL(server.url).host) elsewhere.push(socket.url());
    });
  });
  return offline;
}

beforeAll(async () => {
  mkdirSync(ARTEFACTS, { recursive: true });
  server = await startServer({ "trackstack.auth.mode": "required", "trackstack.auth.admin-token": ADMIN_TOKEN });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [...CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"] });
  context = await offlineContext();
  page = await context.newPage();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("GraphiQL at /graphiql, offline", () => {
  it("loads its editor from the server alone, under a Content-Security-Policy", async () => {
    const response = await page.goto(`${server.url}/graphiql`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self';");
    await expect.poll(() => editorText("Operation Editor")).toContain("Welcome to GraphiQL");
  });

  it("runs a query, first refused without a token, then with the token from the Headers tab", async () => {
    const { serverInfo } = await gql(server.url, "{ serverInfo { version } }", {}, AUTHORIZATION);
    await typeInto("Operation Editor", "{ serverInfo { version } }");
    await run();
    await expect.poll(() => editorText("Result Window")).toContain("UNAUTHENTICATED");

    await page.getByRole("button", { name: "Headers", exact: true }).click();
    await typeInto("Headers", JSON.stringify(AUTHORIZATION));
    await run();
    await expect.poll(() => editorText("Result Window")).toContain(`"version": "${serverInfo.version}"`);
    await page.screenshot({ path: join(ARTEFACTS, "graphiql-query.png") });
  });

  it("runs a subscription over graphql-ws, the Headers tab's token in connection_init", async () => {
    await typeInto("Operation Editor", 'subscription { runEvents(project: "graphiql") { type project } }');
    await run();
    const { createModel } = await gql(server.url, 'mutation { createModel(project: "graphiql", name: "m") { id } }', {}, AUTHORIZATION);
    // Runs are made until one shows: the page's socket opens in its own time.
    await expect.poll(async () => {
      await gql(server.url, "mutation($m: ID!) { createRun(modelId: $m) { id } }", { m: createModel.id }, AUTHORIZATION);
      return editorText("Result Window");
    }, { interval: 1000 }).toMatch(/"type": "CREATED",\s+"project": "graphiql"/);
  });

  it("opens the explorer, which lists the schema's fields once it is fetched with the token", async () => {
    await page.getByRole("button", { name: /Re-fetch GraphQL schema/ }).click();
    await page.getByRole("button", { name: "Show GraphiQL Explorer" }).click();
    // the subscription in the editor, and the Subscription type's other field, known from the schema only
    await expect.poll(() => page.locator(".graphiql-plugin").innerText()).toMatch(/subscription[\s\S]*metricPoints[\s\S]*runEvents/);
    await page.screenshot({ path: join(ARTEFACTS, "graphiql-explorer.png") });
  });

  it("starts with the token the dashboard keeps in this browser", async () => {
    const fresh = await offlineContext();
    await fresh.addInitScript(({ origin, token }) => {
      if (location.origin === origin) localStorage.setItem("trackstack.apiToken", token); // not on about:blank
    }, { origin: server.url, token: ADMIN_TOKEN });
    const other = await fresh.newPage();
    await other.goto(`${server.url}/graphiql`);
    await other.getByRole("button", { name: "Headers", exact: true }).click();
    await expect.poll(() => editorText("Headers", other)).toContain(`"Authorization": "Bearer ${ADMIN_TOKEN}"`);
    await typeInto("Operation Editor", "{ serverInfo { version } }", other);
    await run(other);
    await expect.poll(() => editorText("Result Window", other)).toContain('"version": "');
    await fresh.close();
  });

  it("leaves the dashboard without GraphiQL's code", async () => {
    const dashboard = await context.newPage();
    const scripts: string[] = [];
    dashboard.on("response", (response) => {
      if (response.request().resourceType() === "script") scripts.push(response.url());
    });
    await dashboard.goto(`${server.url}/`, { waitUntil: "load" });
    await dashboard.getByRole("link", { name: "GraphiQL" }).waitFor(); // it runs, from its chunks alone
    await dashboard.close();
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((url) => /graphiql|monaco|react/i.test(url))).toEqual([]);
  });

  it("tried nothing beyond the server, broke no rule of its Content-Security-Policy, threw nothing", () => {
    expect(elsewhere).toEqual([]);
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });
});
