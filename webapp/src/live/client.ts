import { createClient, type Client } from "graphql-ws";
import { dataOrThrow } from "../api/graphql";
import { authorization } from "../api/token";
import type { TypedDocumentString } from "../gql/graphql";

let client: Client | undefined;
const reconnectListeners = new Set<() => void>();

/** Exponential backoff capped at 30 s, with full jitter so many open tabs do not reconnect in step. */
export function retryDelay(retries: number, random = Math.random): number {
  return random() * Math.min(30_000, 500 * 2 ** retries);
}

/** One WebSocket for the whole page, opened on the first subscription and closed after the last. */
function liveClient(): Client {
  client ??= createClient({
    url: new URL("/graphql", location.href).href.replace(/^http/, "ws"),
    lazy: true,
    // Read on every (re)connect, so that a token typed in after a refusal is used.
    connectionParams: authorization,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, retryDelay(retries))),
    on: {
      connected: (_socket, _payload, wasRetry) => {
        if (wasRetry) reconnectListeners.forEach((listener) => listener());
      },
    },
  });
  return client;
}

/** Called after the socket came back: whatever was logged meanwhile must be fetched again. */
export function onReconnect(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}

/** Subscribes and answers the unsubscribe function. */
export function subscribe<R, V>(
  document: TypedDocumentString<R, V>,
  variables: V,
  onData: (data: R) => void,
  onError: (error: unknown) => void = (error) => console.warn("subscription failed", error),
): () => void {
  return liveClient().subscribe<R>(
    { query: document.toString(), variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        try {
          onData(dataOrThrow(result as Parameters<typeof dataOrThrow<R>>[0]));
        } catch (error) {
          onError(error);
        }
      },
      error: onError,
      complete: () => {},
    },
  );
}
