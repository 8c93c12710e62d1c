"""OTLP/HTTP in binary protobuf, built and parsed with OpenTelemetry's own classes (the opentelemetry-proto package),
posted to the real server's /v1/traces and read back through GraphQL."""
import gzip
import os
import time
import unittest
import urllib.request
from typing import Any, Dict, Optional

from support import Server, module_server

try:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (ExportTraceServiceRequest,
                                                                          ExportTraceServiceResponse)
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status
except ImportError:  # a plain python3 without tests/requirements-frameworks.txt; the build's venv has it
    ExportTraceServiceRequest = None

server: Server


def setUpModule() -> None:
    global server
    if ExportTraceServiceRequest is None:
        raise unittest.SkipTest("opentelemetry-proto is not installed (tests/requirements-frameworks.txt)")
    server = module_server()


def attribute(key: str, value: Any) -> "KeyValue":
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    return KeyValue(key=key, value=AnyValue(string_value=value))


def span(trace_id: bytes, span_id: bytes, name: str, parent: bytes = b"", start_ms: int = 0, end_ms: int = 10,
         attributes: Optional[Dict[str, Any]] = None) -> "Span":
    now = time.time_ns()
    return Span(trace_id=trace_id, span_id=span_id, parent_span_id=parent, name=name, kind=Span.SPAN_KIND_CLIENT,
                start_time_unix_nano=now + start_ms * 1_000_000, end_time_unix_nano=now + end_ms * 1_000_000,
                attributes=[attribute(key, value) for key, value in (attributes or {}).items()])


def export(project: str, *spans: "Span", gzipped: bool = False) -> "ExportTraceServiceResponse":
    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource_spans.resource.attributes.append(attribute("service.name", "proto-test"))
    resource_spans.scope_spans.add().spans.extend(spans)
    body = request.SerializeToString()
    headers = {"Content-Type": "application/x-protobuf", "X-Trackstack-Project": project}
    if gzipped:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    with urllib.request.urlopen(urllib.request.Request(server.url + "/v1/traces", data=body, headers=headers),
                                timeout=30) as answer:
        assert answer.headers["Content-Type"] == "application/x-protobuf", answer.headers["Content-Type"]
        return ExportTraceServiceResponse.FromString(answer.read())


def trace(trace_id: bytes) -> Optional[Dict[str, Any]]:
    return server.api.execute(
        "query($id: ID!) { trace(id: $id) { project name spanCount status inputTokens outputTokens "
        "spans { spanId parentSpanId name kind spanType model inputTokens outputTokens status statusMessage "
        "serviceName } } }", id=trace_id.hex())["trace"]


class BinaryProtobufTest(unittest.TestCase):
    def test_a_tree_of_genai_spans_is_stored_and_read_back(self) -> None:
        trace_id, agent_id, llm_id = os.urandom(16), os.urandom(8), os.urandom(8)
        llm = span(trace_id, llm_id, "chat gpt-4o", parent=agent_id, start_ms=1, end_ms=8,
                   attributes={"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o",
                               "gen_ai.usage.input_tokens": 120, "gen_ai.usage.output_tokens": 30})
        llm.status.CopyFrom(Status(code=Status.STATUS_CODE_ERROR, message="rate limited"))

        answer = export("proto", span(trace_id, agent_id, "invoke_agent",
                                     attributes={"gen_ai.operation.name": "invoke_agent"}), llm)

        self.assertFalse(answer.HasField("partial_success"), answer)
        stored = trace(trace_id)
        self.assertEqual((stored["project"], stored["name"], stored["spanCount"], stored["status"],
                          stored["inputTokens"], stored["outputTokens"]),
                         ("proto", "invoke_agent", 2, "ERROR", 120, 30))
        spans = {found["name"]: found for found in stored["spans"]}
        self.assertEqual(spans["invoke_agent"]["spanType"], "AGENT")
        self.assertIsNone(spans["invoke_agent"]["parentSpanId"])
        self.assertEqual(spans["chat gpt-4o"], {
            "spanId": llm_id.hex(), "parentSpanId": agent_id.hex(), "name": "chat gpt-4o", "kind": "CLIENT",
            "spanType": "LLM", "model": "gpt-4o", "inputTokens": 120, "outputTokens": 30, "status": "ERROR",
            "statusMessage": "rate limited", "serviceName": "proto-test"})

    def test_a_gzipped_request_is_stored(self) -> None:
        trace_id = os.urandom(16)

        answer = export("proto", span(trace_id, os.urandom(8), "retrieve",
                                          attributes={"gen_ai.operation.name": "retrieval"}),
                        gzipped=True)

        self.assertFalse(answer.HasField("partial_success"), answer)
        self.assertEqual([found["spanType"] for found in trace(trace_id)["spans"]], ["RETRIEVER"])

    def test_a_span_ending_before_it_starts_is_rejected_beside_a_good_one(self) -> None:
        trace_id = os.urandom(16)

        answer = export("proto", span(trace_id, os.urandom(8), "good"),
                        span(trace_id, os.urandom(8), "backwards", start_ms=10, end_ms=5))

        self.assertEqual(answer.partial_success.rejected_spans, 1)
        self.assertIn("end", answer.partial_success.error_message)
        self.assertEqual([found["name"] for found in trace(trace_id)["spans"]], ["good"])


if __name__ == "__main__":
    unittest.main()
