import type { RunRowFragment } from "../gql/graphql";
import { formatDuration, h } from "../ui/dom";

/** A failed run's badge says why on hover. */
export const statusBadge = (status: string, failure?: { type: string; message?: string | null } | null) =>
  h("span", { className: `status status-${status.toLowerCase()}`, title: failure ? failureText(failure) : undefined }, status.toLowerCase());

/** "ValueError: bad input", or the type alone without a message. */
export const failureText = (failure: { type: string; message?: string | null }) =>
  failure.message ? `${failure.type}: ${failure.message}` : failure.type;

/** Wall time so far for a running run, start to finish otherwise. */
export const runDuration = (run: Pick<RunRowFragment, "createdAt" | "finishedAt">, now = Date.now()) =>
  formatDuration((run.finishedAt ? Date.parse(run.finishedAt) : now) - Date.parse(run.createdAt));
