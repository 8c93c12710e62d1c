"""Tracing: spans of LLM calls, tool calls and agents, sent to the server's OTLP endpoint (`/v1/traces`).

    import trackstack

    @trackstack.trace.span(kind="TOOL")
    def search(query): ...

    with trackstack.trace.span("answer", kind="AGENT") as span:
        span.set_llm(model="gpt-4o", provider="openai", input_tokens=120, output_tokens=40)
        search("weather")

A span started inside another one (in the same thread or asyncio task) is its child, in the same trace: the
current span lives in a contextvar. A thread started inside a span does not see it, as Python does not copy the
context into threads; run the thread's function with `contextvars.copy_context().run` to make its spans children.

While a run is active (`trackstack.init()`), spans go with its points: to its project, linked to it
(`trackstack.run.id`), batched, retried, and spooled when the server is down. Otherwise they go to the project of
`configure()` (default $TRACKSTACK_PROJECT, else the server's "default"), batched and retried, but not spooled.
"""
from __future__ import annotations

import contextvars
import functools
import json
import logging
import os
import queue
import secrets
import threading
import time
import traceback
from typing import Any, Callable, Dict, List, Mapping, Optional

from .api import DEFAULT_RETRY_BUDGET, Api, RequestRejected, ServerUnavailable, with_retry
from .run import MAX_SPANS_PER_CALL, current_run

log = logging.getLogger("trackstack")

_STATUS_ERROR = 2  # OTLP's StatusCode
_KIND_INTERNAL = 1  # OTLP's SpanKind
_current: "contextvars.ContextVar[Optional[Span]]" = contextvars.ContextVar("trackstack_span", default=None)


class Span:
    """A span being recorded; `trackstack.trace.span(...)` opens one."""

    def __init__(self, name: str, kind: str, attributes: Optional[Mapping[str, Any]], parent: Optional["Span"]) -> None:
        self.name = name
        self.trace_id = parent.trace_id if parent else secrets.token_hex(16)
        self.span_id = secrets.token_hex(8)
        self.parent_span_id = parent.span_id if parent else None
        self.attributes: Dict[str, Any] = {"openinference.span.kind": kind.upper()}
        self.attributes.update(attributes or {})
        self.events: List[Dict[str, Any]] = []
        self.error: Optional[str] = None
        self.start = time.time_ns()

    def set_attribute(self, key: str, value: Any) -> None:
        """A string, bool, int or float; anything else is stored as its JSON (or its str)."""
        self.attributes[key] = value

    def set_llm(self, model: Optional[str] = None, provider: Optional[str] = None,
                input_tokens: Optional[int] = None, output_tokens: Optional[int] = None,
                messages: Optional[List[Mapping[str, Any]]] = None, conversation_id: Optional[str] = None,
                operation: str = "chat") -> None:
        """Describes an LLM call with OpenTelemetry's GenAI attributes; makes the span an LLM span."""
        values = {"gen_ai.operation.name": operation, "gen_ai.provider.name": provider,
                  "gen_ai.request.model": model, "gen_ai.usage.input_tokens": input_tokens,
                  "gen_ai.usage.output_tokens": output_tokens, "gen_ai.conversation.id": conversation_id,
                  "gen_ai.input.messages": messages}
        self.attributes.update({key: value for key, value in values.items() if value is not None})
        self.attributes["openinference.span.kind"] = "LLM"

    def _fail(self, error: BaseException) -> None:
        self.error = f"{type(error).__name__}: {error}"
        self.events.append({"timeUnixNano": str(time.time_ns()), "name": "exception", "attributes": _attributes({
            "exception.type": type(error).__qualname__, "exception.message": str(error),
            "exception.stacktrace": "".join(traceback.format_exception(type(error), error, error.__traceback__))})})

    def _otlp(self, end: int) -> Dict[str, Any]:
        span = {"traceId": self.trace_id, "spanId": self.span_id, "name": self.name, "kind": _KIND_INTERNAL,
                "startTimeUnixNano": str(self.start), "endTimeUnixNano": str(end),
                "attributes": _attributes(self.attributes), "events": self.events}
        if self.parent_span_id:
            span["parentSpanId"] = self.parent_span_id
        if self.error is not None:
            span["status"] = {"code": _STATUS_ERROR, "message": self.error}
        return span


def span(name: Any = None, kind: str = "SPAN", attributes: Optional[Mapping[str, Any]] = None) -> Any:
    """Opens a span: a context manager answering the `Span`, or a decorator recording each call of a function
    (named after the function unless `name` is given; `@span` without arguments works too).

    kind: the span type the server shows, e.g. SPAN, LLM, TOOL, AGENT, CHAIN, RETRIEVER, EMBEDDING (OpenInference's
    span kinds). An exception leaving the span marks it ERROR with an `exception` event, and goes on.
    """
    if callable(name):  # @span without arguments
        return _Scope(None, kind, attributes)(name)
    return _Scope(name, kind, attributes)


class _Scope:
    """What span() answers: the span's settings, used as a context manager or as a decorator."""

    def __init__(self, name: Optional[str], kind: str, attributes: Optional[Mapping[str, Any]]) -> None:
        self.name = name
        self.kind = kind
        self.attributes = attributes
        self._open: List[Any] = []  # (span, context token), innermost last

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def traced(*args: Any, **kwargs: Any) -> Any:
            with _Scope(self.name or function.__qualname__, self.kind, self.attributes):
                return function(*args, **kwargs)
        return traced

    def __enter__(self) -> Span:
        opened = Span(self.name or "span", self.kind, self.attributes, _current.get())
        self._open.append((opened, _current.set(opened)))
        return opened

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        opened, token = self._open.pop()
        _current.reset(token)
        if exc is not None:
            opened._fail(exc)
        _export(opened._otlp(time.time_ns()))


def current_span() -> Optional[Span]:
    """The innermost open span of this thread or task, or None."""
    return _current.get()


class _Exporter:
    """Sends the spans made outside a run in batches from a background thread, retrying for a while."""

    def __init__(self, api: Api, project: str) -> None:
        self.api = api
        self.project = project
        self._queue: "queue.Queue[Any]" = queue.Queue(maxsize=100_000)
        threading.Thread(target=self._send_loop, name="trackstack-trace", daemon=True).start()

    def add(self, span: Dict[str, Any]) -> None:
        try:
            self._queue.put_nowait(span)
        except queue.Full:
            log.warning("Trackstack dropped span %r: too many wait to be sent", span["name"])

    def flush(self, timeout: Optional[float] = None) -> bool:
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def _send_loop(self) -> None:
        while True:
            spans: List[Dict[str, Any]] = []
            item = self._queue.get()
            while isinstance(item, dict) and len(spans) < MAX_SPANS_PER_CALL:
                spans.append(item)
                try:
                    item = self._queue.get(timeout=1.0 if len(spans) < MAX_SPANS_PER_CALL else 0)
                except queue.Empty:
                    item = None
            if spans:
                try:
                    with_retry(lambda: self.api.export_spans(self.project, None, spans), DEFAULT_RETRY_BUDGET)
                except (ServerUnavailable, RequestRejected) as error:
                    log.warning("Trackstack dropped %d spans: %s", len(spans), error)
            if isinstance(item, threading.Event):
                item.set()


_exporter: Optional[_Exporter] = None
_exporter_lock = threading.Lock()


def configure(project: Optional[str] = None, url: Optional[str] = None, token: Optional[str] = None) -> None:
    """Where spans made outside a run go: `project` (default $TRACKSTACK_PROJECT, else "default") on the server
    `url` (default $TRACKSTACK_URL, else http://localhost:8080) with `token` (default $TRACKSTACK_TOKEN)."""
    global _exporter
    with _exporter_lock:
        _exporter = _Exporter(Api.of(url, token), project or os.environ.get("TRACKSTACK_PROJECT") or "default")


def flush(timeout: Optional[float] = None) -> bool:
    """Waits until the spans made so far are sent: with the active run's data, or those made outside a run."""
    run = current_run()
    if run is not None:
        return run.flush(timeout)
    return _exporter is None or _exporter.flush(timeout)


def _export(otlp_span: Dict[str, Any]) -> None:
    run = current_run()
    if run is not None:
        run._log_span(otlp_span)
        return
    if _exporter is None:
        configure()
    _exporter.add(otlp_span)


def _attributes(values: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """OTLP JSON key-values: 64-bit integers as strings, as OTLP JSON has them."""
    return [{"key": key, "value": _value(value)} for key, value in values.items()]


def _value(value: Any) -> Dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    try:
        return {"stringValue": json.dumps(value)}
    except (TypeError, ValueError):
        return {"stringValue": str(value)}
