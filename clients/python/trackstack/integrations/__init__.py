"""Adapters for training frameworks; each module imports without its framework installed."""
import numbers
import re
from typing import Any, Dict, Mapping, Optional, Tuple

from ..artifact import ArtifactUpload
from ..media import media_items
from ..run import Run

SPLIT_PREFIXES = ("train", "val", "valid", "validation", "eval", "test")


def split_metric_name(key: str, default_split: Optional[str] = None) -> Tuple[str, Optional[str]]:
    """Reads the split from a framework's metric key: "val/loss" and "val_loss" are ("loss", "val").

    Keys without a known split prefix keep their name and get `default_split`.
    """
    for separator in ("/", "_"):
        prefix, found, rest = key.partition(separator)
        if found and rest and prefix.lower() in SPLIT_PREFIXES:
            return rest, prefix
    return key, default_split


def log_by_split(run: Run, metrics: Mapping[str, Any], step: int, default_split: Optional[str] = None) -> None:
    """Logs the numeric values of `metrics` at `step`, one `Run.log()` per split, and media (trackstack.Image,
    Histogram, Table, Text or lists of them) under their whole key; skips anything else."""
    by_split: Dict[Optional[str], Dict[str, Any]] = {}
    for key, value in metrics.items():
        if media_items(value) is not None:
            by_split.setdefault(None, {})[key] = value
        elif isinstance(value, numbers.Real) and not isinstance(value, bool):
            name, split = split_metric_name(key, default_split)
            by_split.setdefault(split, {})[name] = value
    for split, values in by_split.items():
        run.log(values, step=step, split=split)


def log_checkpoint(run: Run, path: str, name: Optional[str], model: str, best: bool,
                   metadata: Mapping[str, Any]) -> ArtifactUpload:
    """Logs a checkpoint file or directory as a version of the artifact `name` (default: "<model>-run-<run id>",
    one artifact per run) of type "checkpoint", with the alias "best" when it is the best so far."""
    if name is None:
        name = re.sub(r"[^A-Za-z0-9_.-]", "-", f"{model}-run-{run.id or 'offline'}")[:128]
    return run.log_artifact(path, name=name, type="checkpoint", aliases=["best"] if best else [], metadata=metadata)
