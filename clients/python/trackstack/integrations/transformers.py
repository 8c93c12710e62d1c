"""Hugging Face Transformers: `Trainer(..., callbacks=[TrackstackCallback(project="...", model="...")])`.

Training logs ("loss", "learning_rate", ...) go to split "train"; "eval_loss" to ("loss", "eval").
`TrackstackCallback(..., log_checkpoints=True)` logs each checkpoint directory the Trainer saves as a version of the
artifact "<model>-run-<run id>" (type "checkpoint"), the best one (TrainerState.best_model_checkpoint, with
`metric_for_best_model`) with the alias "best"; uploaded in the background, finished before the run ends.
`TrackstackCallback(..., samples=function)` logs media after each evaluation, e.g. predictions on a few validation
samples: `function(model)` answers them by name ({"eval/predictions": trackstack.Table(...)}), logged at the
global step.
"""
import os
from typing import Any, Callable, Dict, Mapping, Optional

from .. import run as _run
from . import log_by_split, log_checkpoint

try:
    from transformers import TrainerCallback
except ImportError:  # no Transformers: the class still imports, e.g. for tests
    TrainerCallback = object  # type: ignore[misc,assignment]


class TrackstackCallback(TrainerCallback):  # type: ignore[misc,valid-type]
    """Starts a Trackstack run when training begins (on the main process only), logs what the Trainer logs at
    its global step, and completes the run when training ends."""

    def __init__(self, project: str, model: str, name: Optional[str] = None,
                 config: Optional[Mapping[str, Any]] = None, log_checkpoints: bool = False,
                 checkpoint_name: Optional[str] = None,
                 samples: Optional[Callable[[Any], Mapping[str, Any]]] = None, **init_options: Any) -> None:
        """Arguments as for `trackstack.init()`; the run's name defaults to the TrainingArguments' run_name.
        log_checkpoints: log saved checkpoints as artifact versions, of the artifact `checkpoint_name` (default
        "<model>-run-<run id>"). samples: called with the model (in eval mode) after each evaluation, answers media
        by name (trackstack.Image, Histogram, Table or Text, or lists of them) to log at the global step."""
        self._init_options = dict(project=project, model=model, **init_options)
        self._log_checkpoints = log_checkpoints
        self._checkpoint_name = checkpoint_name
        self._name = name
        self._samples = samples
        self._config = dict(config or {})
        self.run: Optional[_run.Run] = None

    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero or self.run is not None:
            return
        config: Dict[str, Any] = dict(args.to_sanitized_dict())
        if getattr(model, "config", None) is not None:
            config["model_config"] = model.config.to_dict()
        config.update(self._config)
        self.run = _run.init(name=self._name or getattr(args, "run_name", None), config=config,
                             **self._init_options)

    def on_log(self, args: Any, state: Any, control: Any, logs: Optional[Mapping[str, Any]] = None,
               **kwargs: Any) -> None:
        if self.run is not None and logs:
            log_by_split(self.run, logs, state.global_step, default_split="train")

    def on_evaluate(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if self.run is not None and self._samples is not None:
            self.run.log(dict(self._samples(model)), step=state.global_step)

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        """Logs the checkpoint directory just saved (with log_checkpoints), "best" when it is the best so far."""
        if self.run is None or not self._log_checkpoints:
            return
        path = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")  # where Trainer._save_checkpoint saves
        if os.path.isdir(path):
            log_checkpoint(self.run, path, self._checkpoint_name, self._init_options["model"],
                           path == state.best_model_checkpoint,
                           {"step": state.global_step, "epoch": state.epoch, "bestMetric": state.best_metric})

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.run is not None:
            self.run.finish()
