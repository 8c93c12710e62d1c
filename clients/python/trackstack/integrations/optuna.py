"""Optuna: `study.optimize(objective, n_trials=..., callbacks=[TrackstackOptunaCallback(project="...")])`.

One run per finished trial, under a model named after the study: the trial's params as hyperparameters, the
values it reported (`trial.report(value, step)`) as the series "value" at their steps, and its objective value
as the series "objective" (of a multi-objective study: "objective_0", "objective_1", ...) at the last step. A
failed trial's run is FAILED, any other COMPLETED; each is tagged with its state ("complete", "pruned", "fail").
"""
from typing import Any, Dict, Mapping, Optional, Sequence

from .. import run as _run


class TrackstackOptunaCallback:
    """Records each trial that ends as a Trackstack run, once it has ended: its params are only known then."""

    def __init__(self, project: str, model: Optional[str] = None, tags: Sequence[str] = (),
                 config: Optional[Mapping[str, Any]] = None, **init_options: Any) -> None:
        """model: default the study's name. tags: every trial's run gets them, plus its state in lower case
        ("complete", "pruned", "fail"). config: added to every trial's params. The rest as for
        `trackstack.init()`."""
        self._project = project
        self._model = model
        self._tags = list(tags)
        self._config = dict(config or {})
        self._init_options = init_options

    def __call__(self, study: Any, trial: Any) -> None:
        state = trial.state.name
        config: Dict[str, Any] = {**trial.params, **self._config}
        run = _run.init(project=self._project, model=self._model or study.study_name, name=f"trial {trial.number}",
                        config=config, tags=[*self._tags, state.lower()], **self._init_options)
        last_step = 0
        for step, value in sorted(trial.intermediate_values.items()):
            run.log({"value": value}, step=step)
            last_step = step
        values = trial.values or []  # none for pruned and failed trials
        names = ["objective"] if len(values) == 1 else [f"objective_{index}" for index in range(len(values))]
        run.log(dict(zip(names, values)), step=last_step)
        if state == "FAIL":
            run.fail()
        else:  # COMPLETE, or PRUNED: stopped early on purpose, told apart by the tag
            run.finish()
