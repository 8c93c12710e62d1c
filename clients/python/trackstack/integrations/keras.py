"""Keras 3 (any backend): `model.fit(..., callbacks=[TrackstackKerasCallback(project="...", model="...")])`.

Batch logs go to split "train" at the global batch number; epoch logs too, at the last batch of the epoch, with
"val_loss" as ("loss", "val").
"""
from typing import Any, Mapping, Optional

from .. import run as _run
from . import log_by_split

try:
    from keras.callbacks import Callback
except ImportError:  # no Keras: the class still imports, e.g. for tests
    Callback = object  # type: ignore[misc,assignment]


class TrackstackKerasCallback(Callback):  # type: ignore[misc,valid-type]
    """Starts a Trackstack run when `fit()` begins, logs the batch and epoch metrics, and completes the run when
    `fit()` ends. (An exception out of `fit()` leaves it RUNNING, to become CRASHED when its heartbeats stop.)"""

    def __init__(self, project: str, model: str, name: Optional[str] = None,
                 config: Optional[Mapping[str, Any]] = None, **init_options: Any) -> None:
        """Arguments as for `trackstack.init()`; the run's configuration also gets `fit()`'s params (epochs,
        steps)."""
        super().__init__()
        self._init_options = dict(project=project, model=model, name=name, **init_options)
        self._config = dict(config or {})
        self.run: Optional[_run.Run] = None
        self._step = -1  # the global batch number: Keras counts batches per epoch

    def on_train_begin(self, logs: Optional[Mapping[str, Any]] = None) -> None:
        config = {"fit": dict(getattr(self, "params", None) or {}), **self._config}
        self.run = _run.init(config=config, **self._init_options)
        self._step = -1

    def on_train_batch_end(self, batch: int, logs: Optional[Mapping[str, Any]] = None) -> None:
        self._step += 1
        if self.run is not None and logs:
            log_by_split(self.run, logs, self._step, default_split="train")

    def on_epoch_end(self, epoch: int, logs: Optional[Mapping[str, Any]] = None) -> None:
        if self.run is not None and logs:
            log_by_split(self.run, {**logs, "epoch": epoch}, max(self._step, 0), default_split="train")

    def on_train_end(self, logs: Optional[Mapping[str, Any]] = None) -> None:
        if self.run is not None:
            self.run.finish()
