"""Exports (docs/api.md, "Exporting"): every point of a project's series as CSV or Parquet, its runs as JSON or
CSV, points as a pandas or polars frame, and the import of an exported points file into another project.

    trackstack.export_points("vision", "points.parquet", runs=["12", "13"], names=["loss"])
    frame = trackstack.points_frame("vision", library="polars")
    trackstack.import_points("points.csv", "vision-copy", model="resnet")

Downloads stream into a temporary file beside the target, renamed when complete: a cut download leaves nothing
that looks like an export.
"""
from __future__ import annotations

import csv
import hashlib
import http.client
import json
import os
import shutil
import tempfile
from datetime import timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Union
from urllib.parse import quote, urlencode

from .api import Api, RequestRejected, ServerUnavailable, encode_value
from .run import MAX_POINTS_PER_CALL

PathLike = Union[str, Path]


def _query(format: str, runs: Optional[Sequence[Any]], model: Optional[str], names: Optional[Sequence[str]] = None,
           split: Optional[str] = None) -> str:
    parameters: List[Any] = [("format", format)]
    parameters += [("run", str(run)) for run in runs or []]
    parameters += [("name", name) for name in names or []]
    if model is not None:
        parameters.append(("model", model))
    if split is not None:
        parameters.append(("split", split))
    return urlencode(parameters)


def _download(api: Api, project: str, what: str, query: str, path: PathLike) -> Path:
    """GETs an export into `path` through a temporary file beside it; raises RequestRejected or ServerUnavailable."""
    path = Path(path)
    response = api.transfer("GET", f"/api/v1/projects/{quote(project, safe='')}/export/{what}?{query}")
    descriptor, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with response, os.fdopen(descriptor, "wb") as file:
            shutil.copyfileobj(response, file, 1 << 20)
        os.replace(partial, path)
    except (OSError, http.client.HTTPException) as error:
        os.unlink(partial)
        raise ServerUnavailable(f"export of {project} cut off: {error!r}") from None
    except BaseException:
        os.unlink(partial)
        raise
    return path


def export_points(project: str, path: PathLike, format: str = "parquet", runs: Optional[Sequence[Any]] = None,
                  names: Optional[Sequence[str]] = None, model: Optional[str] = None, split: Optional[str] = None,
                  url: Optional[str] = None, token: Optional[str] = None) -> Path:
    """Writes every point of the project's series (of these run ids, series names, model, split; all when None)
    to `path` as "parquet" or "csv": columns run_id, run_name, name, split, step, time, value. Answers the path."""
    return _download(Api.of(url, token), project, "points", _query(format, runs, model, names, split), path)


def export_runs(project: str, path: PathLike, format: str = "json", runs: Optional[Sequence[Any]] = None,
                model: Optional[str] = None, url: Optional[str] = None, token: Optional[str] = None) -> Path:
    """Writes the project's runs (of these ids or this model; all when None) with their hyperparameters, tags,
    notes and series summaries to `path`, as "json" (an array) or "csv" (one row per run). Answers the path."""
    return _download(Api.of(url, token), project, "runs", _query(format, runs, model), path)


def points_frame(project: str, runs: Optional[Sequence[Any]] = None, names: Optional[Sequence[str]] = None,
                 library: str = "pandas", model: Optional[str] = None, split: Optional[str] = None,
                 url: Optional[str] = None, token: Optional[str] = None) -> Any:
    """Every point of the project's series as a pandas or polars DataFrame (library "pandas" or "polars"), read
    from a Parquet export. Raises ImportError when the library (for pandas: with pyarrow) is not installed."""
    if library == "pandas":
        try:
            import pandas
            import pyarrow  # noqa: F401  (pandas reads Parquet through it)
        except ImportError as error:
            raise ImportError(f"points_frame(library='pandas') needs pandas and pyarrow: pip install pandas pyarrow "
                              f"({error})") from None
        read = pandas.read_parquet
    elif library == "polars":
        try:
            import polars
        except ImportError as error:
            raise ImportError(f"points_frame(library='polars') needs polars: pip install polars ({error})") from None
        read = polars.read_parquet
    else:
        raise ValueError(f"library must be 'pandas' or 'polars', not {library!r}")
    with tempfile.TemporaryDirectory(prefix="trackstack-export-") as directory:
        path = export_points(project, Path(directory) / "points.parquet", "parquet", runs, names, model, split,
                             url, token)
        return read(path)


def _rows(path: Path) -> Iterator[Dict[str, Any]]:
    """The rows of an exported points file: CSV, or Parquet (read with pyarrow) by its .parquet suffix."""
    if path.suffix == ".parquet":
        try:
            import pyarrow.parquet
        except ImportError as error:
            raise ImportError(f"importing Parquet needs pyarrow: pip install pyarrow, or import the CSV export "
                              f"({error})") from None
        for batch in pyarrow.parquet.ParquetFile(path).iter_batches(batch_size=MAX_POINTS_PER_CALL):
            for row in batch.to_pylist():
                row["time"] = row["time"].astimezone(timezone.utc).isoformat(timespec="microseconds")
                yield row
        return
    with open(path, newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            row["split"] = row["split"] or None
            row["run_name"] = row["run_name"] or None
            row["step"] = int(row["step"])
            row["value"] = float(row["value"])  # reads NaN, Infinity and -Infinity too
            yield row


def _run_ids(api: Api, project: str, model: str) -> Dict[str, str]:
    """The named runs of the model (the first of a name), from a runs export: where a second import goes."""
    with tempfile.TemporaryDirectory(prefix="trackstack-import-") as directory:
        try:
            path = export_runs(project, Path(directory) / "runs.json", model=model, url=api.url, token=api.token)
        except RequestRejected as error:
            if error.code == "NOT_FOUND":  # a project that does not exist yet has no runs
                return {}
            raise
        runs = json.loads(path.read_text(encoding="utf-8"))
    found: Dict[str, str] = {}
    for run in runs:
        if run["name"] is not None:
            found.setdefault(run["name"], run["id"])
    return found


def import_points(path: PathLike, project: str, model: str, url: Optional[str] = None,
                  token: Optional[str] = None) -> Dict[str, str]:
    """Logs the points of an exported points file (CSV, or Parquet with pyarrow) into runs of `model` in
    `project`, one per run name of the file (a run without a name is named "run <its exported id>"), through
    logMetrics with times kept. Idempotent: runs are found again by name, and batches have ids made of their
    content, so importing the same file again stores nothing twice. Answers the run ids by name."""
    api = Api.of(url, token)
    runs: Dict[str, str] = {}
    known: Optional[Dict[str, str]] = None
    model_id: Optional[str] = None
    current: Optional[str] = None
    batch: List[Dict[str, Any]] = []

    def send() -> None:
        if batch:
            batch_id = "import-" + hashlib.sha256(json.dumps([current, batch]).encode()).hexdigest()[:40]
            api.log_metrics(runs[current], batch, batch_id)
            batch.clear()

    for row in _rows(Path(path)):
        name = row["run_name"] or f"run {row['run_id']}"
        if name != current:
            send()
            current = name
            if name not in runs:
                if known is None:
                    known = _run_ids(api, project, model)
                    model_id = api.create_model(project, model)
                runs[name] = known.get(name) or api.create_run(model_id, name, {}, [], None)
        batch.append({"name": row["name"], "split": row["split"], "step": row["step"],
                      "value": encode_value(row["value"]), "time": row["time"]})
        if len(batch) == MAX_POINTS_PER_CALL:
            send()
    send()
    for run_id in runs.values():
        api.update_run_status(run_id, "COMPLETED")
    return runs
