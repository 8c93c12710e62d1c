import type { RunRowFragment } from "../gql/graphql";
import { formatDuration, h } from "../ui/dom";

export const statusBadge = (status: string) => h("span", { className: `status status-${status.toLowerCase()}` }, status.toLowerCase());

/** Wall time so far for a running run, start to finish otherwise. */
export const runDuration = (run: Pick<RunRowFragment, "createdAt" | "finishedAt">, now = Date.now()) =>
  formatDuration((run.finishedAt ? Date.parse(run.finishedAt) : now) - Date.parse(run.createdAt));
