import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, request } from "./graphql";
import type { TypedDocumentString } from "../gql/graphql";

const PROJECTS = "{ projects { name } }" as unknown as TypedDocumentString<{ projects: { name: string }[] }, object>;

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

const refused = () => answer(401, { errors: [{ message: "This server needs an API token", extensions: { code: "UNAUTHENTICATED" } }] });

describe("request against a server that requires API tokens", () => {
  const stored = new Map<string, string>();
  const fetchMock = vi.fn<typeof fetch>();
  const prompt = vi.fn<(message: string) => string | null>();

  beforeEach(() => {
    stored.clear();
    vi.stubGlobal("localStorage", {
      getItem: (key: string) => stored.get(key) ?? null,
      setItem: (key: string, value: string) => stored.set(key, value),
      removeItem: (key: string) => stored.delete(key),
    });
    vi.stubGlobal("window", { prompt });
    vi.stubGlobal("fetch", fetchMock);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    fetchMock.mockReset();
    prompt.mockReset();
  });

  it("should ask for a token after a 401, then send it as a bearer token and keep it", async () => {
    fetchMock.mockResolvedValueOnce(refused()).mockResolvedValueOnce(answer(200, { data: { projects: [] } }));
    prompt.mockReturnValueOnce(" tst_secret ");

    await expect(request(PROJECTS, {})).resolves.toEqual({ projects: [] });

    expect(prompt.mock.calls[0][0]).toContain("This server needs an API token");
    const retried = fetchMock.mock.calls[1][1]?.headers as Record<string, string>;
    expect(retried.Authorization).toBe("Bearer tst_secret");
    fetchMock.mockResolvedValueOnce(answer(200, { data: { projects: [] } }));
    await request(PROJECTS, {});
    expect((fetchMock.mock.calls[2][1]?.headers as Record<string, string>).Authorization).toBe("Bearer tst_secret");
  });

  it("should give up with UNAUTHENTICATED when the user cancels", async () => {
    fetchMock.mockResolvedValueOnce(refused());
    prompt.mockReturnValueOnce(null);

    await expect(request(PROJECTS, {})).rejects.toEqual(new ApiError("This server needs an API token", "UNAUTHENTICATED"));
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});
