"""Imports of runs from TensorBoard, MLflow and W&B (docs/importing.md). The server reads the source, so a path is
one on the server's machine; the client starts the import and follows it until it ends.

    python -m trackstack import tensorboard runs/ --project P
    python -m trackstack import mlflow mlruns/
    python -m trackstack import wandb wandb/
"""
from __future__ import annotations

import os
import time
from typing import Any, Callable, Dict, Optional

from .api import Api, TrackstackError

FORMATS = ("tensorboard", "mlflow", "wandb")

_JOB = ("id state runsRead runsCreated pointsStored pointsDuplicate unmapped error "
        "runs { id name }")


class ImportFailed(TrackstackError):
    """The server could not finish the import; `job` is its last state (what was stored before is kept)."""

    def __init__(self, job: Dict[str, Any]) -> None:
        super().__init__(job.get("error") or "the import failed")
        self.job = job


def import_runs(format: str, source: str, project: Optional[str] = None, model: Optional[str] = None,
                api_key: Optional[str] = None, url: Optional[str] = None, token: Optional[str] = None,
                progress: Optional[Callable[[Dict[str, Any]], None]] = None, poll: float = 0.5) -> Dict[str, Any]:
    """Imports the runs of `source` (a path on the server's machine, made absolute here when it exists here too, or
    a URL) in `format` (tensorboard, mlflow, wandb) and answers the finished import job: runsRead, runsCreated,
    pointsStored, pointsDuplicate, unmapped, runs. `progress` is called with the job each time it changes. Raises
    ImportFailed when the import fails; importing again stores nothing twice."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    api = Api.of(url, token)
    location = os.path.abspath(source) if os.path.exists(source) else source
    job = api.execute("mutation($input: ImportInput!) { importRuns(input: $input) { " + _JOB + " } }",
                      input={"format": format.upper(), "source": location, "project": project, "model": model,
                             "apiKey": api_key})["importRuns"]
    shown = None
    while True:
        if progress is not None and job != shown:
            progress(job)
            shown = job
        if job["state"] != "RUNNING":
            break
        time.sleep(poll)
        job = api.execute("query($id: ID!) { importJob(id: $id) { " + _JOB + " } }", id=job["id"])["importJob"]
    if job["state"] == "FAILED":
        raise ImportFailed(job)
    return job
