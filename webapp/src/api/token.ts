/**
 * The API token for a server that requires one. It lives in local storage, typed in by the user when the
 * server first refuses a request; never in the URL, where it would end up in history and proxy logs.
 */
const KEY = "trackstack.apiToken";

export function apiToken(): string | null {
  return localStorage.getItem(KEY);
}

/** The header (HTTP) or connection_init payload (WebSocket) that carries the token, if there is one. */
export function authorization(): Record<string, string> {
  const token = apiToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** After the server refused `sent`: answers whether there is a (new) token to retry with. */
export function askForToken(sent: string | null, reason: string): boolean {
  if (apiToken() !== sent) return apiToken() !== null; // another request asked meanwhile
  const token = window.prompt(`${reason}\n\nAPI token (kept in this browser):`)?.trim();
  if (!token) {
    localStorage.removeItem(KEY);
    return false;
  }
  localStorage.setItem(KEY, token);
  return true;
}
