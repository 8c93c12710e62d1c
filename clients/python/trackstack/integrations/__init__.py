"""Adapters for training frameworks; each module imports without its framework installed."""
import numbers
from typing import Any, Dict, Mapping, Optional, Tuple

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
    """Logs the numeric values of `metrics` at `step`, one `Run.log()` per split; skips anything else."""
    by_split: Dict[Optional[str], Dict[str, float]] = {}
    for key, value in metrics.items():
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            name, split = split_metric_name(key, default_split)
            by_split.setdefault(split, {})[name] = value
    for split, values in by_split.items():
        run.log(values, step=step, split=split)
