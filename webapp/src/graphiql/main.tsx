// GraphiQL at /graphiql, bundled here (no CDN) as a page of its own: none of it reaches the dashboard's chunk.
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import "@graphiql/plugin-explorer/style.css";
import "./graphiql.css";
import { explorerPlugin } from "@graphiql/plugin-explorer";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL, HISTORY_PLUGIN } from "graphiql";
import { createRoot } from "react-dom/client";
import { authorization } from "../api/token";

// The Headers tab's headers go with every HTTP request and, for subscriptions over graphql-ws, as the
// connection_init payload (the toolkit merges them into connectionParams): a token pasted there works for both.
const fetcher = createGraphiQLFetcher({
  url: new URL("/graphql", location.origin).href,
  subscriptionUrl: new URL("/graphql", location.origin.replace(/^http/, "ws")).href,
});

// Starts with the dashboard's token, if this browser keeps one; then GraphiQL keeps the headers as edited.
const token = authorization();
const initialHeaders = Object.keys(token).length ? JSON.stringify(token, null, 2) : undefined;

createRoot(document.getElementById("graphiql")!).render(
  <GraphiQL fetcher={fetcher} plugins={[HISTORY_PLUGIN, explorerPlugin()]} isHeadersEditorEnabled shouldPersistHeaders
    initialHeaders={initialHeaders} defaultEditorToolsVisibility />,
);
