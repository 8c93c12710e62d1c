"""Runs: `init()` starts or resumes one, `Run.log()` records metrics without ever blocking on the network."""
from __future__ import annotations

import atexit
import logging
import numbers
import queue
import sys
import threading
import traceback
import uuid
from datetime import datetime, timezone
from pathlib import Path
from time import monotonic
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from .api import DEFAULT_RETRY_BUDGET, Api, RequestRejected, ServerUnavailable, encode_value, with_retry
from .artifact import (Artifact, ArtifactUpload, Uploader, artifact_entry, committed, default_name, deliver,
                       parse_spec, read_version)
from .console import ConsoleCapture, console_setting, cut
from .media import Media, json_size, media_items
from .spool import Spool, create_run, default_spool_dir, replay_in_background, send
from .system import SystemMonitor, interval_setting

log = logging.getLogger("trackstack")

MAX_POINTS_PER_CALL = 10_000  # the server's limit for one logMetrics call
MAX_LINES_PER_CALL = 1000  # the server's limit for one logConsole call
MAX_SPANS_PER_CALL = 1000  # spans per OTLP export, well under the server's request size limit
MAX_RESULTS_PER_CALL = 1000  # the server's limit for one logEvalResults call
MAX_SCORES_PER_CALL = 10_000  # the server's limit for one logScores call
MAX_MEDIA_PER_CALL = 256  # the server's limit for one logMedia call (trackstack.media.items-per-call)
# JSON of the media items of one logMedia call: under the server's 16 MiB limit of a request body
# (trackstack.limits.request-bytes), with room for the rest of the request.
MAX_MEDIA_CALL_BYTES = 15 << 20
MAX_MEDIA_QUEUE_BYTES = 64 << 20  # media held in memory for the sender; beyond that log() writes them to the spool
_STOP = object()  # queue marker: the sender thread ends after what precedes it


class Run:
    """A run being logged to. Create it with `trackstack.init()`.

    Points (and console lines, and the environment) go onto a bounded queue; a background thread sends them in
    batches and, when the server cannot be reached, writes them to the spool file to replay later. A second thread
    sends heartbeats. init() attaches the console capture and the system monitor, which stop when the run ends.
    """

    def __init__(self, api: Api, spool: Spool, *, batch_size: int = 1000, flush_interval: float = 1.0,
                 max_queue: int = 100_000, retry_budget: float = DEFAULT_RETRY_BUDGET, max_backoff: float = 30.0,
                 heartbeat_interval: float = 30.0, exit_timeout: float = 10.0, first_step: int = 0) -> None:
        """
        batch_size: points per logMetrics call (at most 10,000); flush_interval: seconds a point may wait for
        its batch to fill. max_queue: points held in memory; beyond that log() writes to the spool.
        retry_budget: seconds a batch is retried before it goes to the spool; max_backoff: longest pause between
        attempts to replay the spool. heartbeat_interval: seconds between heartbeats. exit_timeout: seconds the
        exit hook waits for the server before spooling what is left. first_step: the step log() uses when
        called without one for the first time.
        """
        self._api = api
        self._spool = spool
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._retry_budget = retry_budget
        self._max_backoff = max_backoff
        self._heartbeat_interval = heartbeat_interval
        self._exit_timeout = exit_timeout
        self._queue: "queue.Queue[Any]" = queue.Queue(maxsize=max_queue)
        self._next_step = first_step
        self._step_lock = threading.Lock()
        self._media_bytes = 0  # JSON bytes of the media in the queue
        self._media_lock = threading.Lock()
        self._ended = threading.Event()  # log() refuses points; heartbeats stop
        self._stopped = False  # the sender was told to end
        self._give_up = threading.Event()  # at exit: spool instead of waiting for the server
        self._in_flight: Optional[Dict[str, Any]] = None
        self._replay_delay = 0.0
        self._next_replay = 0.0
        self._sender = threading.Thread(target=self._send_loop, name="trackstack-sender", daemon=True)
        self._heartbeats = threading.Thread(target=self._heartbeat_loop, name="trackstack-heartbeat", daemon=True)
        self._attached: List[Any] = []  # helpers feeding the run, each with a stop()
        self._uploader = Uploader(self._send_artifact)
        self._sender.start()
        self._heartbeats.start()
        _live_runs[self] = None

    @property
    def id(self) -> Optional[str]:
        """The run's id on the server; None while the server was unreachable since init()."""
        return self._spool.run_id

    def log(self, metrics: Mapping[str, Any], step: Optional[int] = None, split: Optional[str] = None,
            time: Optional[datetime] = None) -> None:
        """Records one value per metric name at `step` (default: one past the previous step) in `split`.

        Values may be any number, NaN and ±Infinity included. `time` (default: now) is when they were measured.
        A value may also be media, trackstack.Image, Histogram, Table or Text, or a list of them (several items at
        the step): logged under its name, which is the whole key (media have no split), at `step`. Never blocks on
        the network; values that are neither numbers nor media are skipped with a warning, and so are media the
        server cannot take (a histogram of NaN values, an item larger than a request may be).
        """
        if self._ended.is_set():
            log.warning("Trackstack run %s has ended; log() ignored", self.id)
            return
        with self._step_lock:
            step = self._next_step if step is None else int(step)
            self._next_step = step + 1
        values, media = {}, {}
        for name, value in metrics.items():
            items = media_items(value)
            if items is None:
                values[name] = value
            else:
                media[name] = items
        self._log_points(values, step, split, time)
        for name, items in media.items():
            for item in items:
                self._log_media(name, step, item)

    def _log_points(self, metrics: Mapping[str, float], step: int, split: Optional[str],
                    time: Optional[datetime]) -> None:
        stamp = (time or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="milliseconds")
        points = []
        for name, value in metrics.items():
            try:
                encoded = encode_value(value)
            except (TypeError, ValueError):
                log.warning("Trackstack skips metric %r at step %d: %r is not a number", name, step, value)
                continue
            points.append({"name": name, "split": split, "step": step, "value": encoded, "time": stamp})
        self._enqueue(points, _points_entry)

    def _log_media(self, name: str, step: int, media: Media) -> None:
        if media.error is not None:
            log.warning("Trackstack skips %s %r at step %d: %s", media.kind, name, step, media.error)
            return
        item = media.item(name, step)
        size = json_size(item)
        if size > MAX_MEDIA_CALL_BYTES:
            log.warning("Trackstack skips %s %r at step %d: %d bytes, more than a request to the server may carry",
                        media.kind, name, step, size)
            return
        with self._media_lock:
            queued = self._media_bytes + size <= MAX_MEDIA_QUEUE_BYTES
            if queued:
                self._media_bytes += size
        if not queued:  # the sender is behind: keep it on disk rather than in memory
            self._overflow(_media_entry([item]))
        elif not self._enqueue([{"media": item, "bytes": size}], lambda items: _media_entry([item])):
            self._media_taken(size)

    def _media_taken(self, size: int) -> None:
        with self._media_lock:
            self._media_bytes -= size

    def _log_console_line(self, line: int, stream: str, text: str, time: float) -> None:
        """Queued as written: cutting the text and formatting the time are left to the sender's thread."""
        self._enqueue([{"line": line, "stream": stream, "text": text, "time": time}], _console_entry)

    def _log_span(self, span: Dict[str, Any]) -> None:
        """Queues a finished span (OTLP JSON) of trackstack.trace, sent with the run's id and project."""
        self._enqueue([{"span": span}], lambda items: self._spans_entry([item["span"] for item in items]))

    def _spans_entry(self, spans: List[Dict[str, Any]]) -> Dict[str, Any]:
        return {"kind": "spans", "project": self._spool.header["project"], "spans": spans}

    def _record_environment(self, environment: Dict[str, Any]) -> None:
        self._enqueue([{"kind": "environment", "environment": _jsonable(environment)}], lambda items: items[0])

    def _enqueue(self, items: List[Dict[str, Any]], entry_of: Any) -> int:
        """Queues the items for the sender; when the queue is full, spools the rest as `entry_of(rest)`. Answers
        how many were queued."""
        for index, item in enumerate(items):
            try:
                self._queue.put_nowait(item)
            except queue.Full:  # the sender is behind: keep the rest on disk rather than wait or drop it
                self._overflow(entry_of(items[index:]))
                return index
        return len(items)

    def _overflow(self, entry: Dict[str, Any]) -> None:
        """Spools what the queue has no room for."""
        try:
            # No fsync: these items were headed for the in-memory queue, which survives no crash either.
            self._spool.append(entry, durable=False)
        except OSError as error:
            log.warning("Trackstack dropped %s: the queue is full and the spool cannot be written (%s)",
                        _describe(entry), error)

    def log_artifact(self, path_or_dir: Union[str, Path], name: Optional[str] = None, type: str = "model",
                     aliases: Optional[Sequence[str]] = None, metadata: Optional[Mapping[str, Any]] = None,
                     description: Optional[str] = None) -> ArtifactUpload:
        """Logs a file or a directory as a new version of the artifact `name` (default: the file's or directory's
        name) of this run's project, produced by this run, in the background; answers at once.

        type: model, dataset, checkpoint or any name (fixed when the artifact is made). aliases: names to point at
        this version besides `latest` ("best", "production"). metadata: a JSON object kept with the version.
        Identical files give the version that has them instead of a new one. The files are hashed and uploaded on a
        thread of their own (only the blobs the server lacks, resumably), so they must stay as they are until the
        answer's `wait()` returns; finish() waits for it. When the server stays away, the version waits in the
        spool by reference and is sent with the rest of the spool, unless its files changed meanwhile."""
        if not Path(path_or_dir).expanduser().exists():
            raise FileNotFoundError(f"no file or directory {path_or_dir}")
        if self._ended.is_set():
            raise RuntimeError(f"Trackstack run {self.id} has ended; log_artifact needs a live run")
        name = name or default_name(path_or_dir)
        project = self._spool.header["project"]
        return self._uploader.submit(lambda: artifact_entry(path_or_dir, project, name, type, aliases,
                                                            _jsonable(metadata or {}), description), name)

    def _send_artifact(self, entry: Dict[str, Any], handle: ArtifactUpload) -> Optional[Artifact]:
        """Logs the version of `entry` now, or spools it (answering None) behind what waits in the spool already,
        or when the server stays away longer than the retry budget."""
        name = entry["request"]["name"]
        if not self._spool.pending() and not self._give_up.is_set():
            try:
                return committed(self._api, entry, deliver(self._api, self.id, entry, self._retry_budget,
                                                           self._give_up))
            except ServerUnavailable as error:
                log.warning("Trackstack server unavailable (%s); artifact %s waits in %s by reference: leave its "
                            "files as they are until it is sent", error, name, self._spool.path)
        self._spool.append(entry)
        self._replay_failed()
        handle.spooled = True
        return None

    def use_artifact(self, spec: str, download: bool = True) -> Artifact:
        """Records that this run uses an artifact version (lineage) and answers it, its files downloaded into the
        local cache unless `download` is False. spec: "name" (the latest version), "name:alias" or "name:v3",
        optionally "project/name..." for another project's artifact. Raises RequestRejected (NOT_FOUND) when
        there is no such artifact, version or alias, ServerUnavailable when the server cannot be reached."""
        project, name, version, alias = parse_spec(spec, self._spool.header["project"])
        run_id = self.id
        if run_id is None:
            raise ServerUnavailable(f"run not created on {self._api.url} yet: the server was unreachable")
        number = with_retry(lambda: self._api.use_artifact(run_id, project, name, version, alias), self._retry_budget)
        artifact = with_retry(lambda: read_version(self._api, project, name, number, None), self._retry_budget)
        if download:
            artifact.download()
        return artifact

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Waits until everything logged so far was sent (or rejected, or spooled) and the spool was replayed
        once more; answers whether all of it is on the server (False: timed out, or data left in the spool)."""
        if self._stopped:
            return not self._spool.pending()
        deadline = None if timeout is None else monotonic() + timeout
        done = threading.Event()
        try:
            self._queue.put(done, timeout=timeout)
        except queue.Full:
            return False
        remaining = None if deadline is None else max(0.0, deadline - monotonic())
        return done.wait(remaining) and not self._spool.pending()

    def finish(self) -> None:
        """Sends what is pending and marks the run COMPLETED."""
        self._end("COMPLETED")

    def fail(self, error: Optional[BaseException] = None) -> None:
        """Sends what is pending and marks the run FAILED; `error`, the exception that ended it, says why."""
        self._end("FAILED", None if error is None else failure_of(error))

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self._end("COMPLETED")
        else:
            self._end("FAILED", failure_of(exc))

    def _attach(self, helper: Any) -> None:
        self._attached.append(helper)

    def _stop_attached(self) -> None:
        """Stops what feeds the run (the console capture emits its unfinished line), before the last flush."""
        for helper in self._attached:
            helper.stop()
        self._attached.clear()

    def _end(self, status: str, failure: Optional[Dict[str, str]] = None) -> None:
        if self._ended.is_set():
            return
        self._uploader.join()  # each ends by committing its version or spooling it
        self._stop_attached()
        self._ended.set()
        self.flush()
        self._stop_sender()
        self._sender.join()
        # No heartbeat after the run has ended, nor during its status change: the server may store a heartbeat
        # that overlaps the change with the status it read before, RUNNING.
        self._heartbeats.join()
        entry: Dict[str, Any] = {"kind": "status", "status": status}
        if failure:
            entry["failure"] = failure
        if self._spool.pending():
            self._spool.append(entry)  # after the spooled points, where it belongs
        else:
            try:
                with_retry(lambda: self._api.update_run_status(self.id, status, failure), self._retry_budget)
            except ServerUnavailable:
                self._spool.append(entry)
            except RequestRejected as error:
                log.warning("Trackstack could not mark run %s %s: %s", self.id, status, error)
        self._close()

    def _exit(self) -> None:
        """At interpreter exit: sends what it can within exit_timeout, spools the rest. Leaves the status alone."""
        if self._ended.is_set():
            return
        self._stop_attached()
        self._ended.set()
        if not self.flush(self._exit_timeout):
            self._give_up.set()
            self._stop_sender()
            self._sender.join(1.0)  # without the network it only has to write to the spool
            if self._sender.is_alive():  # stuck in a network call: spool its work for it
                self._spool_leftovers()
        self._close()

    def _stop_sender(self) -> None:
        self._stopped = True
        try:
            self._queue.put(_STOP, timeout=1.0)
        except queue.Full:
            pass  # only at exit, when the leftovers are spooled anyway

    def _spool_leftovers(self) -> None:
        in_flight = self._in_flight
        if in_flight is not None:
            self._spool.append(in_flight)  # the same batchId: harmless if the server took it after all
        items: List[Dict[str, Any]] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, dict):
                items.append(item)
        for entry in self._entries_of(items):
            self._spool.append(entry)

    def _close(self) -> None:
        _live_runs.pop(self, None)
        if self._spool.pending():
            media = self._spool.waiting("media")
            log.warning("Trackstack: %d points%s of run %s are not on %s yet and wait in %s; the next "
                        "trackstack.init() with this spool directory sends them in the background (or now: "
                        "python -m trackstack sync)", self._spool.waiting("points"),
                        f" and {media} media items" if media else "", self.id or "(not created yet)", self._api.url,
                        self._spool.path)
        self._spool.release()

    def _entries_of(self, items: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """The calls that send queued items: points, console lines and spans in batches, entries as they are."""
        points = [item for item in items if "name" in item]
        lines = [item for item in items if "stream" in item]
        spans = [item["span"] for item in items if "span" in item]
        results = [item["result"] for item in items if "result" in item]
        scores = [item["score"] for item in items if "score" in item]
        media = [item for item in items if "media" in item]
        return ([_points_entry(part) for part in _parts(points, self._batch_size)]
                + [_console_entry(part) for part in _parts(lines, MAX_LINES_PER_CALL)]
                + [self._spans_entry(part) for part in _parts(spans, MAX_SPANS_PER_CALL)]
                + [{"kind": "results", "results": part}
                   for part in _parts(results, min(self._batch_size, MAX_RESULTS_PER_CALL))]
                + [{"kind": "scores", "scores": part} for part in _parts(scores, MAX_SCORES_PER_CALL)]
                + [_media_entry(part) for part in _media_parts(media)]
                + [item for item in items if "kind" in item])

    def _send_loop(self) -> None:
        while True:
            items, marker = self._next_batch()
            try:
                for entry in self._entries_of(items):
                    self._deliver(entry)
                replay_due = marker is not None or monotonic() >= self._next_replay
                if self._spool.pending() and replay_due and not self._give_up.is_set():
                    self._replay()
            except Exception:  # e.g. an unwritable spool; this thread must live on, flush() and finish() wait for it
                log.exception("Trackstack could not deliver or spool %d items", len(items))
            if marker is _STOP:
                return
            if marker is not None:
                marker.set()

    def _next_batch(self) -> "tuple[List[Dict[str, Any]], Any]":
        """Up to batch_size items, waiting at most flush_interval; stops early at a flush or stop marker."""
        points: List[Dict[str, Any]] = []
        deadline = monotonic() + self._flush_interval
        while len(points) < self._batch_size:
            try:
                item = self._queue.get(timeout=max(0.0, deadline - monotonic()))
            except queue.Empty:
                break
            if not isinstance(item, dict):
                return points, item
            if "media" in item:
                self._media_taken(item["bytes"])
            points.append(item)
        return points, None

    def _deliver(self, entry: Dict[str, Any]) -> None:
        if self._spool.pending() or self._give_up.is_set():
            self._spool.append(entry)  # behind what already waits there, so the spool stays in order
            return
        self._in_flight = entry
        try:
            with_retry(lambda: send(self._api, self.id, entry), self._retry_budget, self._give_up)
        except ServerUnavailable as error:
            log.warning("Trackstack server unavailable (%s); spooling to %s and retrying in the background",
                        error, self._spool.path)
            self._keep(entry)
        except RequestRejected as error:
            if error.blames_data and _halves(entry):  # all or nothing: one bad result must not take its batch along
                self._in_flight = None
                for half in _halves(entry):
                    self._deliver(half)
            elif error.blames_data:
                log.warning("Trackstack rejected %s of run %s: %s; dropped, since the server will never "
                            "take them", _describe(entry), self.id, error)
            else:  # e.g. a revoked token: the points are fine, and wait until the server takes them
                log.warning("Trackstack server refused %s of run %s (%s); spooling to %s and retrying in "
                            "the background", _describe(entry), self.id, error, self._spool.path)
                self._keep(entry)
        finally:
            self._in_flight = None

    def _keep(self, entry: Dict[str, Any]) -> None:
        self._spool.append(entry)
        self._replay_failed()

    def _replay(self) -> None:
        try:
            self._spool.replay(self._api)
        except ServerUnavailable:
            self._replay_failed()
        except RequestRejected:  # the run could not be created: nothing more can be logged to it
            self._ended.set()
        else:
            self._replay_delay = 0.0
            self._next_replay = 0.0

    def _replay_failed(self) -> None:
        self._replay_delay = min(max(0.5, self._replay_delay * 2), self._max_backoff)
        self._next_replay = monotonic() + self._replay_delay

    def _heartbeat_loop(self) -> None:
        while True:
            run_id = self.id
            if run_id is not None:
                try:
                    self._api.heartbeat(run_id)
                except ServerUnavailable:
                    pass  # the sender reports an unreachable server
                except RequestRejected as error:
                    log.warning("Trackstack heartbeats of run %s stopped: %s", run_id, error)
                    return
            if self._ended.wait(self._heartbeat_interval):
                return


def _points_entry(points: List[Dict[str, Any]]) -> Dict[str, Any]:
    """A logMetrics batch, with the id that makes re-sending it harmless."""
    return {"kind": "points", "batchId": str(uuid.uuid4()), "points": points}


def _media_entry(items: List[Dict[str, Any]]) -> Dict[str, Any]:
    """A logMedia call, with the id that makes re-sending it harmless."""
    return {"kind": "media", "batchId": str(uuid.uuid4()), "media": items}


def _media_parts(queued: List[Dict[str, Any]]) -> List[List[Dict[str, Any]]]:
    """The queued media items ({"media", "bytes"}) in logMedia calls, each within the server's limits of items
    and of bytes."""
    parts: List[List[Dict[str, Any]]] = []
    size = 0
    for item in queued:
        if not parts or len(parts[-1]) == MAX_MEDIA_PER_CALL or size + item["bytes"] > MAX_MEDIA_CALL_BYTES:
            parts.append([])
            size = 0
        parts[-1].append(item["media"])
        size += item["bytes"]
    return parts


def _console_entry(lines: List[Dict[str, Any]]) -> Dict[str, Any]:
    """A logConsole batch of lines as captured; its line numbers make re-sending it harmless."""
    return {"kind": "console", "lines": [
        dict(line, text=cut(line["text"]),
             time=datetime.fromtimestamp(line["time"], timezone.utc).isoformat(timespec="milliseconds"))
        for line in lines]}


def _parts(items: List[Any], size: int) -> List[List[Any]]:
    return [items[start:start + size] for start in range(0, len(items), size)]


def _halves(entry: Dict[str, Any]) -> List[Dict[str, Any]]:
    """An eval batch of several results or scores split in two; [] for any other entry."""
    kind = entry["kind"]
    if kind not in ("results", "scores") or len(entry[kind]) < 2:
        return []
    middle = len(entry[kind]) // 2
    return [{"kind": kind, kind: entry[kind][:middle]}, {"kind": kind, kind: entry[kind][middle:]}]


def _describe(entry: Dict[str, Any]) -> str:
    if entry["kind"] == "points":
        return f"{len(entry['points'])} points"
    if entry["kind"] == "console":
        return f"{len(entry['lines'])} console lines"
    if entry["kind"] == "artifact":
        return f"artifact {entry['request']['name']}"
    if entry["kind"] in ("spans", "results", "scores", "media"):
        return f"{len(entry[entry['kind']])} {entry['kind']}"
    return "the environment"


_live_runs: "Dict[Run, None]" = {}  # in the order they started


def current_run() -> Optional[Run]:
    """The run started last of those still live in this process, or None."""
    return next(reversed(list(_live_runs)), None)

_replays: "list[threading.Thread]" = []  # replays of earlier runs' spool files
REPLAY_EXIT_TIMEOUT = 10.0  # seconds the exit hook lets them go on; the rest waits in the spool for the next run


@atexit.register
def _flush_at_exit() -> None:
    for run in list(_live_runs):
        run._exit()
    deadline = monotonic() + REPLAY_EXIT_TIMEOUT
    for replay in _replays:
        replay.join(max(0.0, deadline - monotonic()))


# The server's limits (docs/api.md, RunFailureInput): a traceback keeps its end, where the error is.
FAILURE_LIMITS = {"type": 256, "message": 8_192, "traceback": 65_536}


def failure_of(error: BaseException) -> Dict[str, str]:
    """Why a run failed, for the server: the exception's qualified type, its message and the traceback."""
    kind = type(error)
    name = kind.__qualname__ if kind.__module__ in ("builtins", "__main__") else f"{kind.__module__}.{kind.__qualname__}"
    trace = "".join(traceback.format_exception(kind, error, error.__traceback__))
    return {"type": name[:FAILURE_LIMITS["type"]], "message": str(error)[:FAILURE_LIMITS["message"]],
            "traceback": trace[-FAILURE_LIMITS["traceback"]:]}


DEFAULT_MODEL = "default"


def init(project: str, model: str = DEFAULT_MODEL, name: Optional[str] = None, config: Optional[Mapping[str, Any]] = None,
         tags: Optional[Sequence[str]] = None, notes: Optional[str] = None, url: Optional[str] = None,
         token: Optional[str] = None, *, run_id: Optional[Union[str, int]] = None, from_step: Optional[int] = None,
         spool_dir: Optional[Union[str, Path]] = None, system_metrics: Union[bool, float, None] = None,
         console: Optional[bool] = None, **options: Any) -> Run:
    """Starts a run of `model` in `project` (both created when new) and answers it. A project with a single model
    needs no name for it: runs go to the model named "default".

    config: the hyperparameters (a JSON object, or an OmegaConf/Hydra DictConfig). url: the server, default $TRACKSTACK_URL or
    http://localhost:8080; token: sent as a bearer token, default $TRACKSTACK_TOKEN. run_id: resume that run
    instead of creating one; from_step: also remove its points after this step first (resuming a checkpoint).
    spool_dir: where undelivered data waits, default $TRACKSTACK_SPOOL_DIR or ~/.trackstack/spool.
    system_metrics: sample CPU, memory, disk, network and GPUs as `sys/...` series every 15 s (True), every that
    many seconds (a number >= 1), or not at all, nor record the environment (False); default
    $TRACKSTACK_SYSTEM_METRICS, else on. console: capture stdout and stderr (default $TRACKSTACK_CONSOLE, else on).
    options: tuning of `Run` (batch_size, flush_interval, heartbeat_interval, ...).

    When the server cannot be reached the run is created later, from the spool. Raises RequestRejected when
    the server refuses the run (e.g. an unknown run_id).
    """
    if config is not None and not isinstance(config, Mapping):
        raise TypeError("config must be a mapping of hyperparameters")
    if not 1 <= options.get("batch_size", 1) <= MAX_POINTS_PER_CALL:  # checked before a run is created for nothing
        raise ValueError(f"batch_size must be 1 to {MAX_POINTS_PER_CALL}")
    interval = interval_setting(system_metrics)
    capture = console_setting(console)
    api = Api.of(url, token)
    header = {"kind": "run", "url": api.url, "runId": None if run_id is None else str(run_id),
              "project": project, "model": model, "name": name, "config": _jsonable(config or {}),
              "tags": list(tags or []), "notes": notes}
    spool = Spool(Path(spool_dir or default_spool_dir()) / f"{uuid.uuid4().hex}.jsonl", header)
    retry_budget = options.get("retry_budget", DEFAULT_RETRY_BUDGET)
    try:
        if run_id is None:
            header["runId"] = with_retry(lambda: create_run(api, header), retry_budget)
        else:
            with_retry(lambda: api.update_run_status(header["runId"], "RUNNING"), retry_budget)
            if from_step is not None:
                with_retry(lambda: api.rewind_run(header["runId"], from_step), retry_budget)
    except ServerUnavailable as error:
        log.warning("Trackstack server unavailable (%s); the run waits in %s", error, spool.path)
        spool.save_header()  # the run must be created even if nothing is logged before the process ends
        if run_id is not None:
            spool.append({"kind": "status", "status": "RUNNING"})
            if from_step is not None:
                spool.append({"kind": "rewind", "toStep": from_step})
    first_step = 0 if from_step is None else from_step + 1
    run = Run(api, spool, first_step=first_step, **options)
    if capture:
        run._attach(ConsoleCapture(run._log_console_line, _next_console_line(api, run_id)))
    if interval is not None:
        run._attach(SystemMonitor(interval, lambda metrics, step, time: run._log_points(metrics, step, None, time),
                                  run._record_environment))
    replay = replay_in_background(spool.path.parent, api.token, exclude=spool.path)
    if replay is not None:
        _replays.append(replay)
    return run


def _next_console_line(api: Api, run_id: Optional[Union[str, int]]) -> int:
    """Where a resumed run's console lines go on; 0 for a new run (or when the server cannot say: then the lines
    numbered like stored ones are taken for duplicates)."""
    if run_id is None:
        return 0
    try:
        last = api.console_last_line(str(run_id))
    except (ServerUnavailable, RequestRejected):
        return 0
    return 0 if last is None else last + 1


def _jsonable(value: Any) -> Any:
    """`value` with anything JSON cannot carry (paths, enums, objects) turned into its string.

    An OmegaConf (Hydra) config becomes its resolved, nested containers: the server stores nested hyperparameters
    and filters them by dotted path (`optimizer.lr`), so flattening them would only lose their structure.
    """
    omegaconf = sys.modules.get("omegaconf")  # such a config exists only if its module was imported
    if omegaconf is not None and isinstance(value, (omegaconf.DictConfig, omegaconf.ListConfig)):
        value = omegaconf.OmegaConf.to_container(value, resolve=True)
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, numbers.Integral):  # also numpy's integers
        return int(value)
    if isinstance(value, numbers.Real):
        return encode_value(value)  # NaN and Infinity are not JSON either
    return str(value)
