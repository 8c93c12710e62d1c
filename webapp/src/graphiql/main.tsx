// GraphiQL at /graphiql, bundled here (no CDN) as a page of its own: none of it reaches the dashboard's chunk.
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import "@graphiql/plugin-explorer/style.css";
import "./graphiql.css";
import { explorerPlugin } from "@graphiql/plugin-explorer";
import { createGraphiQLFetcher, type Fetcher } from "@graphiql/toolkit";
import { type DocumentNode, parse } from "graphql";
import { GraphiQL, HISTORY_PLUGIN } from "graphiql";
import { createRoot } from "react-dom/client";
import { authorization } from "../api/token";

// The Headers tab's headers go with every HTTP request and, for subscriptions over graphql-ws, as the
// connection_init payload (the toolkit merges them into connectionParams): a token pasted there works for both.
const toolkitFetcher = createGraphiQLFetcher({
  url: new URL("/graphql", location.origin).href,
  subscriptionUrl: new URL("/graphql", location.origin.replace(/^http/, "ws")).href,
});

// The toolkit sends a subscription over the WebSocket only when the parsed document GraphiQL hands it is one, and
// GraphiQL hands the document its editor parsed last: run right after typing, a subscription replacing a query
// went out as an HTTP POST (and was refused). So the document is parsed here from the text that is sent.
const fetcher: Fetcher = (params, options) => toolkitFetcher(params, { ...options, documentAST: parsed(params.query) });

function parsed(query: string): DocumentNode | undefined {
  try {
    return parse(query);
  } catch {
    return undefined; // the server answers the syntax error
  }
}

// Starts with the dashboard's token, if this browser keeps one; then GraphiQL keeps the headers as edited.
const token = authorization();
const initialHeaders = Object.keys(token).length ? JSON.stringify(token, null, 2) : undefined;

createRoot(document.getElementById("graphiql")!).render(
  <GraphiQL fetcher={fetcher} plugins={[HISTORY_PLUGIN, explorerPlugin()]} isHeadersEditorEnabled shouldPersistHeaders
    initialHeaders={initialHeaders} defaultEditorToolsVisibility />,
);
