import { ApiError, request } from "../api/graphql";
import { projectUrl, tracesUrl, type View } from "../app/viewState";
import { SessionDocument, type SessionQuery } from "../gql/graphql";
import { errorState, formatTime, h, link, loading } from "../ui/dom";
import { formatCost, formatTokens } from "./format";
import { plainTraceHeader, traceRow, traceTable } from "./traceList";

type SessionViewState = Extract<View, { kind: "session" }>;
type Session = NonNullable<SessionQuery["session"]>;

function sessionFacts(session: Session): HTMLElement {
  return h("dl", { className: "facts trace-facts" },
    h("dt", {}, "Traces"), h("dd", {}, String(session.traceCount)),
    h("dt", {}, "From"), h("dd", {}, formatTime(session.startTime)),
    h("dt", {}, "To"), h("dd", {}, formatTime(session.endTime)),
    h("dt", {}, "With errors"), h("dd", {}, String(session.errorCount)),
    h("dt", {}, "Tokens"), h("dd", {}, formatTokens(session.totalTokens)),
    h("dt", {}, "Cost"), h("dd", {}, formatCost(session.cost)));
}

/** `/projects/:name/sessions/:id`: a conversation's traces, oldest first. */
export function sessionView(root: HTMLElement, view: SessionViewState): () => void {
  const controller = new AbortController();
  root.append(loading("Loading the session…"));
  const load = () =>
    request(SessionDocument, { id: view.sessionId, project: view.project }, controller.signal)
      .then(({ session }) => {
        if (!session) throw new ApiError(`No session ${view.sessionId} in ${view.project}`, "NOT_FOUND");
        const traces = session.traces.edges.map((e) => e.node);
        root.replaceChildren(
          h("p", { className: "breadcrumbs" }, link("/", "Projects"), " / ", link(projectUrl(view.project), view.project), " / ",
            link(tracesUrl({ project: view.project }), "Traces"), " /"),
          h("h1", {}, `Session ${view.sessionId}`),
          sessionFacts(session),
          h("section", { "aria-label": "Session traces" }, traceTable(plainTraceHeader(), h("tbody", {}, ...traces.map((t) => traceRow(t))))));
      })
      .catch((error) => controller.signal.aborted || root.replaceChildren(errorState(error, load)));
  load();
  return () => controller.abort();
}
