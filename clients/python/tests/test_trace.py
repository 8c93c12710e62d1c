"""trackstack.trace: spans sent to the real server's OTLP endpoint and read back through GraphQL."""
import unittest
from typing import Any, Dict, List, Optional

import trackstack
from support import FlakyProxy, Server, module_server, temporary_directory, wait_until

server: Server

SPAN_FIELDS = "spanId parentSpanId runId name spanType status statusMessage model provider inputTokens outputTokens " \
              "sessionId events"


def setUpModule() -> None:
    global server
    server = module_server()


def trace(trace_id: str) -> Optional[Dict[str, Any]]:
    return server.api.execute("query($id: ID!) { trace(id: $id) { id project runId spans { %s } } }" % SPAN_FIELDS,
                              id=trace_id)["trace"]


def traces_of_run(run_id: str) -> List[Dict[str, Any]]:
    return [edge["node"] for edge in server.api.execute(
        "query($runId: ID) { traces(runId: $runId) { edges { node { id name runId } } } }",
        runId=run_id)["traces"]["edges"]]


class OutsideARunTest(unittest.TestCase):
    def setUp(self) -> None:
        trackstack.trace.configure(project="tracing", url=server.url)

    def test_nested_spans_share_the_trace_and_know_their_parents(self) -> None:
        @trackstack.trace.span(kind="TOOL")
        def search(query: str) -> str:
            return query.upper()

        with trackstack.trace.span("agent", kind="AGENT") as agent:
            with trackstack.trace.span("plan") as plan:
                self.assertEqual(search("weather"), "WEATHER")
        self.assertTrue(trackstack.trace.flush(30))

        stored = wait_until(lambda: trace(agent.trace_id))
        self.assertEqual(stored["project"], "tracing")
        spans = {span["name"].rsplit(".", 1)[-1]: span for span in stored["spans"]}  # search: by its qualified name
        self.assertEqual(set(spans), {"agent", "plan", "search"})
        self.assertIsNone(spans["agent"]["parentSpanId"])
        self.assertEqual(spans["plan"]["parentSpanId"], agent.span_id)
        self.assertEqual(spans["search"]["parentSpanId"], plan.span_id)
        self.assertEqual((spans["agent"]["spanType"], spans["search"]["spanType"]), ("AGENT", "TOOL"))

    def test_a_bare_decorator_names_the_span_after_the_method(self) -> None:
        class Agent:
            @trackstack.trace.span
            def act(self) -> "trackstack.trace.Span":
                return trackstack.trace.current_span()

        opened = Agent().act()
        trackstack.trace.flush(30)

        stored = wait_until(lambda: trace(opened.trace_id))["spans"]
        self.assertEqual([span["name"].rsplit(".", 2)[-2:] for span in stored], [["Agent", "act"]])

    def test_llm_attributes_land_in_the_mapped_fields(self) -> None:
        with trackstack.trace.span("chat") as span:
            span.set_llm(model="gpt-4o", provider="openai", input_tokens=120, output_tokens=40,
                         conversation_id="c-1", messages=[{"role": "user", "content": "hi"}])
        trackstack.trace.flush(30)

        stored = wait_until(lambda: trace(span.trace_id))["spans"][0]
        self.assertEqual((stored["spanType"], stored["model"], stored["provider"], stored["inputTokens"],
                          stored["outputTokens"], stored["sessionId"]),
                         ("LLM", "gpt-4o", "openai", 120, 40, "c-1"))

    def test_an_exception_marks_the_span_error_and_goes_on(self) -> None:
        with self.assertRaises(ValueError):
            with trackstack.trace.span("failing") as span:
                raise ValueError("no answer")
        trackstack.trace.flush(30)

        stored = wait_until(lambda: trace(span.trace_id))["spans"][0]
        self.assertEqual(stored["status"], "ERROR")
        self.assertEqual(stored["statusMessage"], "ValueError: no answer")
        self.assertEqual([event["name"] for event in stored["events"]], ["exception"])


class InARunTest(unittest.TestCase):
    def test_a_span_in_a_run_is_linked_to_it(self) -> None:
        run = trackstack.init(project="traced runs", model="m", url=server.url, spool_dir=temporary_directory(self),
                              flush_interval=0.1)
        with trackstack.trace.span("step") as span:
            pass
        run.finish()

        self.assertEqual([(found["id"], found["runId"]) for found in traces_of_run(run.id)],
                         [(span.trace_id, run.id)])
        self.assertEqual(trace(span.trace_id)["project"], "traced runs")

    def test_spans_made_while_the_server_is_away_arrive_from_the_spool(self) -> None:
        proxy = FlakyProxy(server.url)
        self.addCleanup(proxy.close)
        spool_dir = temporary_directory(self)
        run = trackstack.init(project="traced runs", model="m", url=proxy.url, spool_dir=spool_dir,
                              retry_budget=0.5, max_backoff=0.5, flush_interval=0.1)
        proxy.down = True
        with trackstack.trace.span("while away") as span:
            pass
        wait_until(lambda: list(spool_dir.glob("*.jsonl")))
        proxy.down = False
        run.finish()

        self.assertEqual([found["runId"] for found in traces_of_run(run.id)], [run.id])
        self.assertEqual(trace(span.trace_id)["spans"][0]["name"], "while away")
        self.assertEqual(list(spool_dir.glob("*.jsonl")), [])


if __name__ == "__main__":
    unittest.main()
