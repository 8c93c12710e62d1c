import type { TypedDocumentString } from "../gql/graphql";
import { apiToken, askForToken, authorization } from "./token";

/** A failed request; `code` is the server's `extensions.code`, or NETWORK / HTTP_<status>. */
export class ApiError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

interface GraphQLResponse<R> {
  data?: R | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Throws the first GraphQL error: the views show partial data only where they ask for it. */
export function dataOrThrow<R>(body: GraphQLResponse<R>): R {
  const error = body.errors?.[0];
  if (error) throw new ApiError(error.message, error.extensions?.code ?? "INTERNAL");
  if (!body.data) throw new ApiError("The server answered without data", "INTERNAL");
  return body.data;
}

/** A server that requires API tokens answers 401 without a valid one: the user is asked for one until it works or they cancel. */
export async function request<R, V>(document: TypedDocumentString<R, V>, variables: V, signal?: AbortSignal): Promise<R> {
  const token = apiToken();
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", ...authorization() },
      body: JSON.stringify({ query: document.toString(), variables }),
      signal,
    });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new ApiError("The server is not reachable", "NETWORK");
  }
  const body = (await response.json().catch(() => ({}))) as GraphQLResponse<R>;
  if (response.status === 401 && askForToken(token, body.errors?.[0]?.message ?? "This server needs an API token")) {
    return request(document, variables, signal);
  }
  if (!response.ok && !body.errors) throw new ApiError(`The server answered ${response.status}`, `HTTP_${response.status}`);
  return dataOrThrow(body);
}
