"""The spool: a local file per run holding what the server has not yet taken, replayed in order.

A spool file is JSON lines. The first line is the run's header: its server id (null until the run has been
created on the server) and what is needed to create it (an eval run's header has an "evaluation" too). Each further line is one entry:

    {"kind": "points", "batchId": "...", "points": [...]}   a logMetrics batch; its batchId makes re-sending harmless
    {"kind": "console", "lines": [...]}                       a logConsole batch; its line numbers make re-sending harmless
    {"kind": "environment", "environment": {...}}            a setRunEnvironment
    {"kind": "spans", "project": "...", "spans": [...]}       an OTLP export of trackstack.trace spans; their ids make
                                                             re-sending harmless
    {"kind": "results", "results": [...]}                     a logEvalResults batch; idempotent on (item, repetition)
    {"kind": "scores", "scores": [...]}                       a logScores batch; idempotent on (item, repetition,
                                                             name, source)
    {"kind": "media", "batchId": "...", "media": [...]}       a logMedia call; its batchId makes re-sending harmless
    {"kind": "rewind", "toStep": N}                          a rewindRun
    {"kind": "status", "status": "FAILED", "failure": {...}}  an updateRunStatus; failure (why it FAILED) optional
    {"kind": "artifact", "request": {...}, "files": [...]}   a logArtifact with its uploads, by reference: each file's
                                                             path inside the version, size, SHA-256, and its source
                                                             path and mtime, checked before sending (artifact.py)

Entries leave the file only after the server has taken them. A live process holds `<file>.lock` (flock) so that
`python -m trackstack sync` leaves its spool alone.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
from pathlib import Path
from typing import Any, BinaryIO, Dict, List, Optional, Tuple

from .api import DEFAULT_RETRY_BUDGET, Api, RequestRejected, ServerUnavailable
from .artifact import deliver as deliver_artifact

try:
    import fcntl
except ImportError:  # Windows: no flock, so no protection against a concurrent `sync`
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("trackstack")

REPLAY_BATCH = 1000  # points per logMetrics call when small spooled entries are sent together
KINDS = ("points", "console", "environment", "rewind", "status", "spans", "results", "scores", "artifact", "media")


def default_spool_dir() -> Path:
    """$TRACKSTACK_SPOOL_DIR, or ~/.trackstack/spool."""
    return Path(os.environ.get("TRACKSTACK_SPOOL_DIR") or Path.home() / ".trackstack" / "spool")


def _json_line(record: Dict[str, Any]) -> bytes:
    return (json.dumps(record, separators=(",", ":")) + "\n").encode()


class Spool:
    """One run's spool file. Safe to use from several threads of one process."""

    def __init__(self, path: Path, header: Dict[str, Any]) -> None:
        self.path = path
        self.header = header
        self._lock = threading.Lock()
        self._lock_file: Optional[Any] = None

    @property
    def run_id(self) -> Optional[str]:
        """The run's server id; None while the run exists only in the spool."""
        return self.header.get("runId")

    def pending(self) -> bool:
        """Whether the file exists, i.e. the run's creation or some entries wait for the server."""
        return self.path.exists()

    def save_header(self) -> None:
        """Writes the file with just the header unless it exists: a run to create even if nothing else follows."""
        with self._lock:
            self._create_file()

    def append(self, entry: Dict[str, Any], durable: bool = True) -> None:
        """Adds an entry at the end; durably (fsync'd) before returning unless `durable` is False."""
        with self._lock:
            self._create_file()
            with open(self.path, "ab") as file:
                file.write(_json_line(entry))
                file.flush()
                if durable:
                    os.fsync(file.fileno())

    def _create_file(self) -> None:
        self.hold()
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._rewrite(None)

    def hold(self) -> bool:
        """Takes the file's lock for this process unless another process holds it; answers whether we hold it."""
        if self._lock_file is not None or fcntl is None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_file = open(str(self.path) + ".lock", "w")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock_file.close()
            return False
        self._lock_file = lock_file
        return True

    def release(self) -> None:
        """Lets go of the lock; removes the lock file when nothing is left to replay."""
        with self._lock:
            if self._lock_file is None:
                return
            if not self.path.exists():
                Path(self._lock_file.name).unlink(missing_ok=True)
            self._lock_file.close()
            self._lock_file = None

    def replay(self, api: Api) -> None:
        """Sends every entry in order, removing what the server took. Raises ServerUnavailable when it goes away.

        Entries the server rejects for what they hold (or because their run is gone) are dropped with a warning;
        other refusals, such as a revoked token, raise ServerUnavailable and keep the entry. Re-sending an entry
        already taken (after a crash between sending and removing it) is harmless, except for run creation and
        rewinds, which are removed right away.
        """
        if self.run_id is None:
            self._create_run(api)
        offset = None
        while True:
            with self._lock:
                entry, entry_offset, offset = self._read_entry(offset)
                if entry is None:  # all delivered
                    self.path.unlink(missing_ok=True)
                    return
                entry, offset = self._coalesce(entry, offset)
            try:
                self._deliver(api, entry)
            except ServerUnavailable:
                with self._lock:
                    self._compact(entry_offset)
                raise
            if entry["kind"] == "rewind":  # re-running it would delete points sent after it
                with self._lock:
                    self._compact(offset)
                offset = None

    def waiting(self, kind: str) -> int:
        """How many points (`kind` "points") or media items ("media") the file holds (0 when it is gone)."""
        count = 0
        with self._lock:
            try:
                with open(self.path, "rb") as file:
                    file.readline()  # the header
                    for line in file:
                        try:
                            entry = json.loads(line)
                        except ValueError:  # a line cut short, which replay skips too
                            continue
                        if isinstance(entry, dict) and entry.get("kind") == kind:
                            count += len(entry[kind])
            except FileNotFoundError:
                pass
        return count

    def _coalesce(self, entry: Dict[str, Any], offset: int) -> Tuple[Dict[str, Any], int]:
        """Joins the points entries that follow `entry` into one call of up to REPLAY_BATCH points: a training loop
        that outpaces the sender spools a few points per log() call. The joined batch id is derived from the parts,
        so a replay cut short and repeated sends the same batch again; the server also ignores stored steps."""
        if entry["kind"] != "points":
            return entry, offset
        points, batch_ids = list(entry["points"]), [entry["batchId"]]
        while len(points) < REPLAY_BATCH:
            following, _, after = self._read_entry(offset)
            if following is None or following["kind"] != "points" \
                    or len(points) + len(following["points"]) > REPLAY_BATCH:
                break
            points.extend(following["points"])
            batch_ids.append(following["batchId"])
            offset = after
        if len(batch_ids) == 1:
            return entry, offset
        joined = hashlib.sha256("\n".join(batch_ids).encode()).hexdigest()
        return {"kind": "points", "batchId": "joined-" + joined, "points": points}, offset

    def _create_run(self, api: Api) -> None:
        header = self.header
        try:
            run_id = create_run(api, header)
        except RequestRejected as error:
            if not error.blames_data:
                raise ServerUnavailable(str(error), error.code) from None  # e.g. a revoked token: kept for later
            log.warning("Trackstack rejected creating run %r of %s/%s: %s; dropping its spooled data in %s",
                        header.get("name"), header["project"], header["model"], error, self.path)
            with self._lock:
                self.path.unlink(missing_ok=True)
            raise
        with self._lock:
            self.header = dict(header, runId=run_id)
            self._compact(None)  # persist the id at once: replaying the header again would create a second run
        log.info("Trackstack created run %s from the spool", run_id)

    def _deliver(self, api: Api, entry: Dict[str, Any]) -> None:
        run_id = self.run_id
        try:
            send(api, run_id, entry)
        except RequestRejected as error:
            if not error.blames_data:
                raise ServerUnavailable(str(error), error.code) from None  # e.g. a revoked token: kept for later
            log.warning("Trackstack rejected spooled %s of run %s: %s; dropped", entry["kind"], run_id, error)

    def _read_entry(self, offset: Optional[int]) -> Tuple[Optional[Dict[str, Any]], int, int]:
        """The entry at `offset` (None: the first one), its offset, and the offset after it; skips broken lines."""
        if not self.path.exists():
            return None, 0, 0
        with open(self.path, "rb") as file:
            if offset is None:
                file.readline()  # the header
            else:
                file.seek(offset)
            while True:
                entry_offset = file.tell()
                line = file.readline()
                if not line:
                    return None, entry_offset, entry_offset
                try:
                    entry = json.loads(line)
                    if isinstance(entry, dict) and entry.get("kind") in KINDS:
                        return entry, entry_offset, file.tell()
                except ValueError:  # a line cut short by a process killed while writing it
                    pass
                log.warning("Trackstack skips a broken line in %s", self.path)

    def _compact(self, offset: Optional[int]) -> None:
        """Rewrites the file as the header plus the entries from `offset` on (None: all of them)."""
        if not self.path.exists():
            return
        with open(self.path, "rb") as file:
            if offset is None:
                file.readline()
            else:
                file.seek(offset)
            self._rewrite(file)

    def _rewrite(self, entries: Optional[BinaryIO]) -> None:
        """Replaces the file atomically with the header and the rest of `entries` (whole lines)."""
        temporary = self.path.with_name(self.path.name + ".tmp")
        with open(temporary, "wb") as file:
            file.write(_json_line(self.header))
            if entries is not None:
                shutil.copyfileobj(entries, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)
        _fsync_dir(self.path.parent)


def create_run(api: Api, header: Dict[str, Any]) -> str:
    """Creates the run a spool header describes, an eval run if it has an "evaluation"; answers its id."""
    model_id = api.create_model(header["project"], header["model"])
    evaluation = header.get("evaluation")
    if evaluation is not None:
        return api.create_eval_run(model_id, evaluation["datasetVersionId"], header.get("name"), evaluation,
                                   header.get("tags") or [], header.get("notes"))
    return api.create_run(model_id, header.get("name"), header.get("config") or {}, header.get("tags") or [],
                          header.get("notes"))


def send(api: Api, run_id: str, entry: Dict[str, Any]) -> None:
    """Makes the call that a spool entry stands for."""
    if entry["kind"] == "points":
        api.log_metrics(run_id, entry["points"], entry["batchId"])
    elif entry["kind"] == "console":
        api.log_console(run_id, entry["lines"])
    elif entry["kind"] == "environment":
        api.set_run_environment(run_id, entry["environment"])
    elif entry["kind"] == "rewind":
        api.rewind_run(run_id, entry["toStep"])
    elif entry["kind"] == "status":
        api.update_run_status(run_id, entry["status"], entry.get("failure"))
    elif entry["kind"] == "spans":
        api.export_spans(entry["project"], run_id, entry["spans"])
    elif entry["kind"] == "results":
        api.log_eval_results(run_id, entry["results"])
    elif entry["kind"] == "scores":
        api.log_scores(run_id, entry["scores"])
    elif entry["kind"] == "artifact":
        deliver_artifact(api, run_id, entry, DEFAULT_RETRY_BUDGET)
    elif entry["kind"] == "media":
        items = entry["media"]
        for error in api.log_media(run_id, items, entry["batchId"])["errors"]:  # each refused alone, for good
            item = items[error["index"]]
            kind = next(key for key in ("image", "histogram", "table", "text") if key in item)
            log.warning("Trackstack: the server refused %s %r at step %d of run %s: %s (%s); dropped", kind,
                        item["name"], item["step"], run_id, error["message"], error["code"])


def _fsync_dir(directory: Path) -> None:
    """Makes a rename durable; not possible (nor needed) on every platform."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def spool_files(directory: Path) -> List[Path]:
    """The spool files of a directory, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(directory.glob("*.jsonl"), key=_modified)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # replayed by another process meanwhile; sync finds it gone
        return 0.0


def sync(directory: Path, url: Optional[str] = None, token: Optional[str] = None,
         exclude: Optional[Path] = None) -> Tuple[int, int]:
    """Replays every spool file in `directory` (but `exclude`) not held by a live process; answers (replayed, left)
    file counts. The lock per file makes sure that no two processes, or threads, replay the same file at once.

    `url` overrides the server recorded in each file.
    """
    replayed = left = 0
    for path in spool_files(directory):
        if path == exclude:
            continue
        spool = Spool(path, {})
        if not spool.hold():
            log.info("Trackstack skips %s: a running process is using it", path)
            left += 1
            continue
        try:
            spool.header = _read_header(path)  # only now: until we held the lock, its process could change it
            spool.replay(Api(url or spool.header["url"], token))
            replayed += 1
        except FileNotFoundError:
            pass  # its process replayed it meanwhile
        except ValueError as error:
            log.warning("Trackstack cannot read spool file %s: %s", path, error)
            left += 1
        except ServerUnavailable as error:
            log.warning("Trackstack could not replay %s: %s", path, error)
            left += 1
        except RequestRejected:
            replayed += 1  # already reported, and its data dropped
        finally:
            spool.release()
    return replayed, left


def replay_in_background(directory: Path, token: Optional[str], exclude: Path) -> Optional[threading.Thread]:
    """Replays the spool files that earlier runs left in `directory` on a thread of its own, so that neither init()
    nor the training loop waits for it; what cannot be sent stays for the next run (or `sync`). Answers the thread,
    or None when there is nothing to replay."""
    if not any(path != exclude for path in spool_files(directory)):
        return None

    def replay() -> None:
        replayed, _ = sync(directory, None, token, exclude)
        if replayed:
            log.info("Trackstack sent %d spool file(s) that earlier runs left in %s", replayed, directory)

    thread = threading.Thread(target=replay, name="trackstack-replay", daemon=True)
    thread.start()
    return thread


def _read_header(path: Path) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as file:
        header = json.loads(file.readline())
    if not isinstance(header, dict) or header.get("kind") != "run":
        raise ValueError("it does not start with a run header")
    return header
