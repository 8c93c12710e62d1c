"""Evals: datasets of items with immutable versions, eval runs that log predictions and their scores, and
`evaluate()`, which runs a task over a dataset version and grades it.

    version = trackstack.add_items("QA", "capitals", [{"input": "France?", "expected": "Paris"}])
    summary = trackstack.evaluate(version, answer, [ExactMatch(ignore_case=True)])

An eval run is a run (kind EVAL): its results and scores go through the same queue, retries and spool as a
training run's metrics, so they survive a server outage and are sent later; re-sending them is harmless, since
the server keeps one result per (item, repetition) and one score per (item, repetition, name, source).
"""
from __future__ import annotations

import csv
import json
import logging
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from . import trace as tracing
from .api import DEFAULT_RETRY_BUDGET, Api, RequestRejected, ServerUnavailable, with_retry
from .graders import CODE, Score, as_score, checked, grade, grader_name
from .run import Run, _jsonable, _replays
from .spool import Spool, create_run, default_spool_dir, replay_in_background

log = logging.getLogger("trackstack")

MAX_ITEMS_PER_CALL = 1000  # the server's limit for one addDatasetItems call


@dataclass(frozen=True)
class DatasetItem:
    """An item of a dataset version. Its id is the SHA-256 of its content (input, expected, metadata)."""
    id: str
    input: Any
    expected: Any = None
    metadata: Any = None


class DatasetVersion:
    """An immutable, numbered version of a dataset: what an eval runs on."""

    def __init__(self, api: Api, fields: Mapping[str, Any]) -> None:
        self.api = api
        self.id: str = fields["id"]
        self.version: int = fields["version"]
        self.item_count: int = fields["itemCount"]
        self.project: str = fields["dataset"]["project"]
        self.dataset: str = fields["dataset"]["name"]
        self._items: Optional[List[DatasetItem]] = None
        self.item_ids: List[str] = []  # of the items given to add_items(), when it made this object

    def items(self) -> List[DatasetItem]:
        """Its items in order (read from the server once)."""
        if self._items is None:
            self._items = [DatasetItem(item["id"], item["input"], item.get("expected"), item.get("metadata"))
                           for item in with_retry(lambda: self.api.dataset_items(self.id), DEFAULT_RETRY_BUDGET)]
        return self._items

    def __repr__(self) -> str:
        return f"DatasetVersion({self.project!r}, {self.dataset!r}, version={self.version}, items={self.item_count})"


def add_items(project: str, dataset: str, items: Iterable[Mapping[str, Any]], description: Optional[str] = None,
              url: Optional[str] = None, token: Optional[str] = None) -> DatasetVersion:
    """Adds items to a dataset (created, with the project, when missing) and answers the version that holds them.

    Each item is a dict with "input" (any JSON value but null) and optionally "expected", "metadata",
    "sourceTraceId" and "sourceSpanId". Items already in the dataset (same input, expected and metadata) are not
    added again; when none is new, the latest version is answered and none is made. The server takes 1,000 items
    per call, so more items make one version per 1,000; the last one holds them all. Limits: 1 MiB of JSON per item.
    The version's `item_ids` are the ids of the given items, in their order.
    """
    api = Api.of(url, token)
    items = [_item_input(item) for item in items]
    if not items:
        raise ValueError("no items to add")
    change: Dict[str, Any] = {}
    item_ids: List[str] = []
    for start in range(0, len(items), MAX_ITEMS_PER_CALL):
        part = items[start:start + MAX_ITEMS_PER_CALL]
        # Safe to retry: items are addressed by content, so a repeated call adds nothing.
        change = with_retry(lambda: api.add_dataset_items(project, dataset, part, description), DEFAULT_RETRY_BUDGET)
        item_ids.extend(change["itemIds"])
    version = DatasetVersion(api, change["version"])
    version.item_ids = item_ids
    return version


def _item_input(item: Mapping[str, Any]) -> Dict[str, Any]:
    if not isinstance(item, Mapping) or item.get("input") is None:
        raise ValueError(f"an item needs an \"input\": {item!r}"[:300])
    unknown = set(item) - {"input", "expected", "metadata", "sourceTraceId", "sourceSpanId"}
    if unknown:
        raise ValueError(f"unknown item fields {sorted(unknown)}: an item has input, expected, metadata, "
                         "sourceTraceId and sourceSpanId")
    return _jsonable(dict(item))


def load_items(path: Union[str, Path], input_field: str = "input", expected_field: str = "expected") -> List[
        Dict[str, Any]]:
    """Items from a JSONL file (one JSON object per line) or a CSV file (a header row), by the file's suffix.

    A JSONL object or CSV row gives its `input_field` as the input and its `expected_field` as the expected output;
    a "metadata" object (JSONL) is kept, and any other fields become the metadata. A JSONL object without
    `input_field` is the input as a whole. CSV values stay strings.
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with open(path, newline="", encoding="utf-8") as file:
            rows: List[Dict[str, Any]] = list(csv.DictReader(file))
        if rows and input_field not in rows[0]:
            raise ValueError(f"{path} has no {input_field!r} column")
    else:
        with open(path, encoding="utf-8") as file:
            rows = [json.loads(line) for line in file if line.strip()]
    items = []
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise ValueError(f"{path}:{number}: not a JSON object")
        if input_field not in row:
            items.append({"input": row})
            continue
        rest = {key: value for key, value in row.items() if key not in (input_field, expected_field, "metadata")}
        metadata = dict(row.get("metadata") or {}, **rest)
        item = {"input": row[input_field], "expected": row.get(expected_field)}
        if metadata:
            item["metadata"] = metadata
        items.append(item)
    return items


def dataset_version(project: str, dataset: str, version: Optional[int] = None, url: Optional[str] = None,
                    token: Optional[str] = None) -> DatasetVersion:
    """A version of a dataset (default: the latest); RequestRejected (NOT_FOUND) when there is none."""
    api = Api.of(url, token)
    fields = with_retry(lambda: api.dataset_version(project, dataset, version), DEFAULT_RETRY_BUDGET)
    if fields is None:
        raise RequestRejected(f"no version {version or 'at all'} of dataset {dataset!r} in {project!r}", "NOT_FOUND")
    return DatasetVersion(api, fields)


def set_score_config(project: str, name: str, type: str, *, min: Optional[float] = None,
                     max: Optional[float] = None, categories: Optional[Sequence[str]] = None,
                     pass_categories: Optional[Sequence[str]] = None, higher_is_better: bool = True,
                     pass_threshold: Optional[float] = None, url: Optional[str] = None,
                     token: Optional[str] = None) -> None:
    """Says how the score `name` of a project is typed (NUMERIC, BOOLEAN, CATEGORICAL) and judged: its range or
    categories, whether higher is better, and what passes. A name without a config gets one inferred from its
    first score (no range, higher is better, no pass threshold)."""
    config = {"name": name, "type": type, "min": min, "max": max, "higherIsBetter": higher_is_better,
              "passThreshold": pass_threshold, "categories": None if categories is None else list(categories),
              "passCategories": None if pass_categories is None else list(pass_categories)}
    api = Api.of(url, token)
    with_retry(lambda: api.set_score_config(project, config), DEFAULT_RETRY_BUDGET)


@dataclass
class Output:
    """What a task may answer instead of its bare output, to record its cost, tokens or trace as well."""
    value: Any
    cost: Optional[float] = None
    input_tokens: Optional[int] = None
    output_tokens: Optional[int] = None
    trace_id: Optional[str] = None
    span_id: Optional[str] = None


ItemRef = Union[DatasetItem, str]


class Prediction:
    """A logged prediction; `log_score` adds a score to it later (an LLM judge's, say)."""

    def __init__(self, run: "EvalRun", item_id: str, repetition: int) -> None:
        self._run, self.item_id, self.repetition = run, item_id, repetition

    def log_score(self, name: Union[str, Score], value: Any = None, *, source: str = CODE,
                  explanation: Optional[str] = None) -> None:
        self._run.log_score(self.item_id, name, value, repetition=self.repetition, source=source,
                            explanation=explanation)


class EvalRun(Run):
    """An eval run being logged to. Create it with `trackstack.eval_run()`; log one prediction per item and
    repetition, scores with it or after it, then `finish()`. Nothing here blocks on the network but `summary()`.
    """

    def __init__(self, api: Api, spool: Spool, **options: Any) -> None:
        super().__init__(api, spool, **options)
        self._local: Dict[str, Any] = {"items": set(), "errored": set(), "scores": {}}

    def log_prediction(self, item: ItemRef, output: Any = None, *, repetition: int = 0, error: Optional[str] = None,
                       latency_ms: Optional[float] = None, cost: Optional[float] = None,
                       input_tokens: Optional[int] = None, output_tokens: Optional[int] = None,
                       trace_id: Optional[str] = None, span_id: Optional[str] = None,
                       scores: Sequence[Score] = ()) -> Prediction:
        """Records what the task answered for an item (a DatasetItem or its id) in a repetition, or the error it
        raised, with its scores. Logging an item and repetition again replaces its result. Scores that carry an
        error (a grader that failed) are not scores: their errors are added to the result's error, so the row
        counts as errored. Limits: 1 MiB of JSON per output, 64 scores per result."""
        item_id = _item_id(item)
        good = [score for score in scores if score.error is None]
        errors = ([error] if error else []) + [f"grader {score.name}: {score.error}" for score in scores
                                               if score.error is not None]
        result = {"itemId": item_id, "repetition": repetition, "output": _jsonable(output),
                  "error": "; ".join(errors) or None, "latencyMs": latency_ms, "cost": cost,
                  "inputTokens": input_tokens, "outputTokens": output_tokens, "traceId": trace_id,
                  "spanId": span_id, "scores": [_score_input(score) for score in good]}
        if self._accepting():
            key = (item_id, repetition)
            self._local["items"].add(key)
            (self._local["errored"].add if result["error"] else self._local["errored"].discard)(key)
            for score in good:
                self._local["scores"][(score.name, key)] = score
            self._enqueue([{"result": {key: value for key, value in result.items() if value is not None}}],
                          lambda items: {"kind": "results", "results": [entry["result"] for entry in items]})
        return Prediction(self, item_id, repetition)

    def log_score(self, item: ItemRef, name: Union[str, Score], value: Any = None, *, repetition: int = 0,
                  source: str = CODE, explanation: Optional[str] = None) -> None:
        """Adds (or replaces) a score of an item's result: `name` and a value that is a number, a bool (pass or
        fail) or a string (a category), or a Score. The result need not be logged yet."""
        score = name if isinstance(name, Score) else as_score(name, value)
        if not isinstance(name, Score):
            score.source, score.explanation = source, explanation
        if score.error is not None:
            raise ValueError(f"score {score.name!r} has an error, not a value: log it with its prediction")
        item_id = _item_id(item)
        entry = dict(_score_input(score), itemId=item_id, repetition=repetition)
        if self._accepting():
            self._local["scores"][(score.name, (item_id, repetition))] = score
            self._enqueue([{"score": entry}],
                          lambda items: {"kind": "scores", "scores": [item["score"] for item in items]})

    def _accepting(self) -> bool:
        if self._ended.is_set():
            log.warning("Trackstack eval run %s has ended; nothing more is logged to it", self.id)
            return False
        return True

    def summary(self, timeout: Optional[float] = None) -> Dict[str, Any]:
        """The run's aggregates once what was logged is on the server: {"runId", "items", "errored", "expected",
        "scores": {name: {"type", "count", "mean", "passRate", "categories"}}}. When the server cannot be reached
        (or does not take everything within `timeout` seconds), the aggregates computed here, with "pending":
        True (they cannot say what passes by the server's score configs: passRate is None but for booleans)."""
        if self.flush(timeout) and self.id is not None:
            try:
                aggregates = with_retry(lambda: self._api.eval_aggregates(self.id), self._retry_budget)
            except (ServerUnavailable, RequestRejected) as error:
                log.warning("Trackstack could not read the aggregates of eval run %s: %s", self.id, error)
            else:
                if aggregates is not None:
                    scores = {score.pop("name"): score for score in aggregates.pop("scores")}
                    return dict(aggregates, runId=self.id, scores=scores, pending=False)
        return self._local_summary()

    def _local_summary(self) -> Dict[str, Any]:
        by_name: Dict[str, List[Score]] = {}
        for (name, _), score in self._local["scores"].items():
            by_name.setdefault(name, []).append(score)
        scores = {name: _aggregate(found) for name, found in sorted(by_name.items())}
        return {"runId": self.id, "items": len(self._local["items"]), "errored": len(self._local["errored"]),
                "expected": None, "scores": scores, "pending": True}


def _aggregate(scores: List[Score]) -> Dict[str, Any]:
    categories: Dict[str, int] = {}
    for score in scores:
        if score.category is not None:
            categories[score.category] = categories.get(score.category, 0) + 1
    numbers = [float(score.boolean) if score.boolean is not None else score.value for score in scores
               if score.category is None]
    booleans = [score.boolean for score in scores if score.boolean is not None]
    kind = "CATEGORICAL" if categories else "BOOLEAN" if booleans else "NUMERIC"
    return {"type": kind, "count": len(scores), "mean": sum(numbers) / len(numbers) if numbers else None,
            "passRate": sum(booleans) / len(booleans) if booleans and kind == "BOOLEAN" else None,
            "categories": [{"category": name, "count": count} for name, count in
                           sorted(categories.items(), key=lambda pair: -pair[1])] or None}


def _item_id(item: ItemRef) -> str:
    return item.id if isinstance(item, DatasetItem) else str(item)


def _score_input(score: Score) -> Dict[str, Any]:
    """A Score as the API takes it: exactly one of value, boolean and category (else ValueError)."""
    field = next(field for field in ("value", "boolean", "category") if getattr(checked(score), field) is not None)
    entry = {"name": score.name, field: getattr(score, field), "source": score.source}
    if score.explanation is not None:
        entry["explanation"] = score.explanation
    return entry


def eval_run(dataset: DatasetVersion, model: str, name: Optional[str] = None, *, settings: Optional[Mapping[str, Any]] = None,
             prompt_name: Optional[str] = None, prompt_version: Optional[int] = None, repetitions: int = 1,
             tags: Optional[Sequence[str]] = None, notes: Optional[str] = None, url: Optional[str] = None,
             token: Optional[str] = None, spool_dir: Optional[Union[str, Path]] = None, **options: Any) -> EvalRun:
    """Starts an eval run of `model` (created when new) on a dataset version, in the dataset's project.

    settings: the model settings (temperature, ...), also the run's hyperparameters. prompt_name, prompt_version:
    the prompt used. repetitions: how many results each item may get (repetition 0 to repetitions - 1; at most
    100). url, token, spool_dir and options (batch_size, flush_interval, retry_budget, ...) as for init(); the
    server's url and token default to the dataset version's. When the server cannot be reached the run is
    created later, from the spool.
    """
    api = dataset.api if url is None and token is None else Api.of(url, token)
    header = {"kind": "run", "url": api.url, "runId": None, "project": dataset.project, "model": model,
              "name": name, "config": {}, "tags": list(tags or []), "notes": notes,
              "evaluation": {"datasetVersionId": dataset.id, "promptName": prompt_name,
                             "promptVersion": prompt_version, "settings": _jsonable(settings or {}),
                             "repetitions": repetitions}}
    spool = Spool(Path(spool_dir or default_spool_dir()) / f"{uuid.uuid4().hex}.jsonl", header)
    try:
        header["runId"] = with_retry(lambda: create_run(api, header),
                                     options.get("retry_budget", DEFAULT_RETRY_BUDGET))
    except ServerUnavailable as error:
        log.warning("Trackstack server unavailable (%s); the eval run waits in %s", error, spool.path)
        spool.save_header()
    run = EvalRun(api, spool, **options)
    replay = replay_in_background(spool.path.parent, api.token, exclude=spool.path)
    if replay is not None:
        _replays.append(replay)
    return run


def evaluate(dataset: DatasetVersion, task: Callable[[Any], Any], graders: Sequence[Any] = (), *,
             model: Optional[str] = None, name: Optional[str] = None, repetitions: int = 1, max_workers: int = 8,
             task_retries: int = 0, task_backoff: float = 1.0, grader_timeout: Optional[float] = None,
             trace: bool = True, **run_options: Any) -> Dict[str, Any]:
    """Runs `task(item.input)` over every item of a dataset version, `repetitions` times, on `max_workers`
    threads; grades each output with `graders` and logs it all to a new eval run; answers the run's summary.

    model: the model the run belongs to (default: the task's function name). The task answers the output (any JSON
    value) or an Output with its cost and tokens. A task that raises is called again up to `task_retries` times,
    after `task_backoff` seconds and then twice as long each time; then its row records the error (and gets no
    scores). The latency is that of the call that answered. graders: see trackstack.graders; a grader that raises
    or runs longer than `grader_timeout` seconds (default: its own) records an error on its row. The eval goes on
    either way. trace: record each task call as a span "eval.task" (kind CHAIN) of the run, to which the row
    links; spans the task opens with trackstack.trace (its LLM calls, say) are its children, in the same trace.
    run_options: as for eval_run() (settings, prompt_name, tags, url, spool_dir, ...).
    """
    items = dataset.items()
    run = eval_run(dataset, model or getattr(task, "__name__", "task"), name, repetitions=repetitions,
                   **run_options)

    def one(item: DatasetItem, repetition: int) -> None:
        scope = tracing.span("eval.task", kind="CHAIN", attributes={
            "trackstack.eval.item_id": item.id, "trackstack.eval.repetition": repetition}) if trace else nullcontext()
        with scope as span:
            output, error, latency_ms = _call_task(task, item.input, task_retries, task_backoff)
            if span is not None and error is not None:
                span.set_attribute("trackstack.eval.error", error)
        answer = output if isinstance(output, Output) else Output(output)
        if span is not None and answer.trace_id is None:
            answer.trace_id, answer.span_id = span.trace_id, span.span_id
        scores = [] if error is not None else [
            grade(grader, item.input, answer.value, item.expected, item.metadata, grader_timeout)
            for grader in graders]
        run.log_prediction(item, answer.value, repetition=repetition, error=error, latency_ms=latency_ms,
                           cost=answer.cost, input_tokens=answer.input_tokens, output_tokens=answer.output_tokens,
                           trace_id=answer.trace_id, span_id=answer.span_id, scores=scores)

    names = [grader_name(grader) for grader in graders]
    if len(set(names)) != len(names):
        raise ValueError(f"graders need distinct names: {names}")
    try:
        with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="trackstack-eval") as pool:
            for future in [pool.submit(one, item, repetition) for repetition in range(repetitions)
                           for item in items]:
                future.result()  # one() catches what the task and graders raise: this only re-raises our bugs
    except BaseException as error:
        run.fail(error)
        raise
    run.finish()
    return run.summary()


def _call_task(task: Callable[[Any], Any], input: Any, retries: int, backoff: float) -> "tuple[Any, Optional[str], float]":
    """(output, None, latency in ms) of the first call that answers, or (None, error, latency) after the retries."""
    delay = backoff
    for attempt in range(retries + 1):
        started = time.perf_counter()
        try:
            output = task(input)
            return output, None, (time.perf_counter() - started) * 1000
        except Exception as error:  # the task's failure is the row's, not the eval's
            latency_ms = (time.perf_counter() - started) * 1000
            if attempt == retries:
                return None, f"{type(error).__name__}: {error}", latency_ms
            time.sleep(delay * random.uniform(0.8, 1.2))
            delay *= 2
    raise AssertionError("unreachable")
