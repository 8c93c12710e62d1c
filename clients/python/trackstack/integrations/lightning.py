"""PyTorch Lightning: `Trainer(logger=TrackstackLogger(project="...", model="..."))`.

Metric keys like "train_loss" or "val/acc" become the series ("loss", "train") and ("acc", "val").
Resuming from a checkpoint: `TrackstackLogger(..., run_id=<the interrupted run's id>)` with
`trainer.fit(..., ckpt_path=...)` continues that run, without what it logged after the checkpoint.
`TrackstackLogger(..., log_checkpoints=True)` logs each checkpoint a ModelCheckpoint saves as a version of the
artifact "<model>-run-<run id>" (type "checkpoint"), the best one (ModelCheckpoint's best_model_path) with the
alias "best"; uploaded in the background, finished before the run ends.
Media, e.g. a few validation samples, from the LightningModule (`on_validation_epoch_end`):
`self.logger.log_media({"val/samples": [trackstack.Image(image, caption=label) for ...]}, step=self.global_step)`.
"""
import argparse
import logging
from typing import Any, Dict, Mapping, Optional, Union

from .. import run as _run
from . import log_by_split, log_checkpoint

try:
    from lightning.pytorch.loggers import Logger
    from lightning.pytorch.utilities import rank_zero_only
except ImportError:
    try:
        from pytorch_lightning.loggers import Logger  # type: ignore[no-redef]
        from pytorch_lightning.utilities import rank_zero_only  # type: ignore[no-redef]
    except ImportError:  # no Lightning: the class still imports, e.g. for tests
        Logger = object  # type: ignore[misc,assignment]

        def rank_zero_only(function: Any) -> Any:  # type: ignore[no-redef]
            return function

log = logging.getLogger("trackstack")


class TrackstackLogger(Logger):  # type: ignore[misc,valid-type]
    """A Lightning logger writing to a Trackstack run, started at the first metrics so that the
    hyperparameters Lightning logs before them become the run's configuration."""

    def __init__(self, project: str, model: str, name: Optional[str] = None,
                 config: Optional[Mapping[str, Any]] = None, log_checkpoints: bool = False,
                 checkpoint_name: Optional[str] = None, **init_options: Any) -> None:
        """Arguments as for `trackstack.init()`. With `run_id` (and no `from_step`) the run is resumed and
        rewound to before the first step the trainer logs: a trainer restored from a checkpoint logs from the
        checkpoint's step on, so what the run got after the checkpoint goes. log_checkpoints: log saved
        checkpoints as artifact versions, of the artifact `checkpoint_name` (default "<model>-run-<run id>")."""
        super().__init__()
        self._init_options = dict(project=project, model=model, name=name, **init_options)
        self._log_checkpoints = log_checkpoints
        self._checkpoint_name = checkpoint_name
        self._config: Dict[str, Any] = dict(config or {})
        self._run: Optional[_run.Run] = None
        self._next_step = 0

    @property
    def name(self) -> str:
        return self._init_options["model"]

    @property
    def version(self) -> Optional[str]:
        """The run id; until the run has started (asking does not start it), the `run_id` to resume, or None."""
        if self._run is not None:
            return self._run.id
        run_id = self._init_options.get("run_id")
        return None if run_id is None else str(run_id)

    @property
    def experiment(self) -> Any:
        """The Trackstack run (`self.logger.experiment.log(...)`), started when first used.

        Until then a stand-in that starts it: Lightning touches `experiment` before it logs the hyperparameters,
        and a run started then would lack them."""
        return self._run if self._run is not None else _RunOnFirstUse(self)

    def _start(self) -> _run.Run:
        if self._run is None:
            self._run = _run.init(config=self._config, **self._init_options)
        return self._run

    @rank_zero_only
    def log_hyperparams(self, params: Union[argparse.Namespace, Mapping[str, Any]], *args: Any,
                        **kwargs: Any) -> None:
        params = vars(params) if isinstance(params, argparse.Namespace) else dict(params)
        if self._run is not None:
            log.warning("Trackstack ignores hyperparameters logged after the run started: %s", sorted(params))
            return
        self._config.update(params)

    @rank_zero_only
    def log_metrics(self, metrics: Mapping[str, float], step: Optional[int] = None) -> None:
        if step is None:
            step = self._next_step
        self._next_step = step + 1
        if self._run is None and self._init_options.get("run_id") is not None:
            self._init_options.setdefault("from_step", step - 1)
        log_by_split(self._start(), metrics, step)

    @rank_zero_only
    def log_media(self, media: Mapping[str, Any], step: Optional[int] = None) -> None:
        """Logs media by name (trackstack.Image, Histogram, Table or Text, or a list of them) at `step`, default
        the step metrics were logged at last."""
        self.log_metrics(media, max(self._next_step - 1, 0) if step is None else step)

    @rank_zero_only
    def after_save_checkpoint(self, checkpoint_callback: Any) -> None:
        """Logs the checkpoint just saved (with log_checkpoints), "best" when it is the callback's best so far."""
        path = getattr(checkpoint_callback, "_last_checkpoint_saved", None) or ""
        if not self._log_checkpoints or not path:
            return
        score = getattr(checkpoint_callback, "current_score", None)
        metadata = {"monitor": getattr(checkpoint_callback, "monitor", None),
                    "score": None if score is None else float(score)}
        log_checkpoint(self._start(), path, self._checkpoint_name, self.name,
                       path == getattr(checkpoint_callback, "best_model_path", None), metadata)

    @rank_zero_only
    def finalize(self, status: str) -> None:
        """Ends the run: FAILED when Lightning reports "failed", COMPLETED otherwise."""
        if self._run is None:
            return
        if status == "failed":
            self._run.fail()
        else:
            self._run.finish()


class _RunOnFirstUse:
    """Stands for a logger's run until its first use, which starts it."""

    def __init__(self, logger: TrackstackLogger) -> None:
        self._logger = logger

    def __getattr__(self, name: str) -> Any:
        return getattr(self._logger._start(), name)
