"""Framework integrations benchmark: what each integration adds to a training loop, per logged step.

Each loop trains a model so tiny that the frameworks' own work is small, once without the client (for scale) and
once with it, where the time the training thread spends in the integration's hooks is measured: per logged step
(the hooks that log), and once per run (the hooks that start and end it: creating the run, and waiting for the
server to have every point). Optuna: per trial, whose run is made and finished when the trial ends.
Measuring inside the hooks rather than comparing two whole loops keeps the numbers steady on a busy machine.
System metrics: the process's CPU time while it idles with a run that samples, beside the same run without
sampling, as % of one core. Console capture: µs per printed line, beside the same loop without the client.

Usage: python3 bench/python_integrations.py --url http://localhost:8080 [--only system,console]
(in an environment with the frameworks, e.g. clients/python/target/venv made by the build, and the client
importable: PYTHONPATH=clients/python)
"""
import argparse
import json
import os
import time
import warnings

os.environ.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", KERAS_BACKEND="torch")
warnings.filterwarnings("ignore")


def timed(loop) -> float:
    started = time.perf_counter()
    loop()
    return time.perf_counter() - started


class HookTimer:
    """Wraps hooks of one integration object, adding up the time spent in them: `per_step` and `once` hooks."""

    def __init__(self, integration, per_step, once) -> None:
        self.integration = integration
        self.seconds = {"per_step": 0.0, "once": 0.0}
        for kind, names in (("per_step", per_step), ("once", once)):
            for name in names:
                setattr(integration, name, self.timed(kind, getattr(integration, name)))

    def timed(self, kind, hook):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return hook(*args, **kwargs)
            finally:
                self.seconds[kind] += time.perf_counter() - started
        return wrapper

    def result(self, steps: int, without: float) -> dict:
        return {"logged_steps": steps, "without_client_us_per_step": round(without / steps * 1e6, 1),
                "client_us_per_logged_step": round(self.seconds["per_step"] / steps * 1e6, 1),
                "client_start_and_finish_ms": round(self.seconds["once"] * 1e3, 1)}


def lightning(url: str, steps: int) -> dict:
    import lightning as L
    import torch
    from lightning.pytorch.loggers import Logger
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    from trackstack.integrations.lightning import TrackstackLogger

    class Nothing(Logger):
        name, version = "nothing", "0"

        def log_hyperparams(self, params, *args, **kwargs):
            pass

        def log_metrics(self, metrics, step=None):
            pass

    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = nn.Linear(4, 1)

        def training_step(self, batch, index):
            loss = nn.functional.mse_loss(self.net(batch[0]), batch[1])
            self.log("train_loss", loss)
            return loss

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.01)

    data = DataLoader(TensorDataset(torch.randn(steps, 4), torch.randn(steps, 1)), batch_size=1)

    def fit(logger) -> None:
        L.Trainer(logger=logger, max_epochs=1, log_every_n_steps=1, accelerator="cpu", enable_checkpointing=False,
                  enable_progress_bar=False, enable_model_summary=False).fit(Model(), data)

    fit(Nothing())  # warm-up
    without = timed(lambda: fit(Nothing()))
    timer = HookTimer(TrackstackLogger(project="bench-integrations", model="lightning", url=url),
                      per_step=["log_metrics"], once=["log_hyperparams", "finalize"])
    fit(timer.integration)  # the run starts in the first log_metrics: its cost is spread over the steps
    return timer.result(steps, without)


def transformers(url: str, steps: int) -> dict:
    import tempfile

    import torch
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

    from trackstack.integrations.transformers import TrackstackCallback

    class Tokens(torch.utils.data.Dataset):
        def __len__(self):
            return steps

        def __getitem__(self, index):
            return {"input_ids": torch.randint(0, 50, (8,)), "labels": torch.tensor(index % 2)}

    def train(callbacks) -> None:
        model = BertForSequenceClassification(BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1,
                                                         num_attention_heads=2, intermediate_size=16))
        with tempfile.TemporaryDirectory() as output:
            args = TrainingArguments(output_dir=output, max_steps=steps, logging_steps=1, report_to=[], use_cpu=True,
                                     save_strategy="no", per_device_train_batch_size=1, disable_tqdm=True)
            Trainer(model=model, args=args, train_dataset=Tokens(), callbacks=callbacks).train()

    train([])  # warm-up
    without = timed(lambda: train([]))
    timer = HookTimer(TrackstackCallback(project="bench-integrations", model="transformers", url=url),
                      per_step=["on_log"], once=["on_train_begin", "on_train_end"])
    train([timer.integration])
    return timer.result(steps, without)


def keras_fit(url: str, steps: int) -> dict:
    import keras
    import numpy

    from trackstack.integrations.keras import TrackstackKerasCallback

    features, targets = numpy.random.rand(steps, 4), numpy.random.rand(steps, 1)

    def fit(callbacks) -> None:
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(features, targets, batch_size=1, epochs=1, callbacks=callbacks, verbose=0)

    fit([])  # warm-up
    without = timed(lambda: fit([]))
    timer = HookTimer(TrackstackKerasCallback(project="bench-integrations", model="keras", url=url),
                      per_step=["on_train_batch_end", "on_epoch_end"], once=["on_train_begin", "on_train_end"])
    fit([timer.integration])
    return timer.result(steps, without)


def optuna_study(url: str, trials: int) -> dict:
    import optuna

    from trackstack.integrations.optuna import TrackstackOptunaCallback

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        for step in range(10):
            trial.report((x - 2) ** 2 + 1 / (step + 1), step)
        return (x - 2) ** 2

    def optimize(callbacks) -> None:
        optuna.create_study(study_name="bench").optimize(objective, n_trials=trials, callbacks=callbacks)

    optimize([])  # warm-up
    without = timed(lambda: optimize([]))
    # Optuna calls the callback once per trial, which costs far more than such a trial: the difference is its cost
    in_callback = timed(lambda: optimize([TrackstackOptunaCallback(project="bench-integrations", url=url)])) - without
    return {"trials": trials, "reports_per_trial": 10, "without_client_ms_per_trial": round(without / trials * 1e3, 2),
            "client_ms_per_trial": round(in_callback / trials * 1e3, 2)}


def system_metrics(url: str, seconds: float) -> dict:
    import trackstack

    def idle_cpu(setting) -> float:
        run = trackstack.init(project="bench-system", model="system", url=url, system_metrics=setting, console=False)
        started = time.process_time()
        time.sleep(seconds)
        used = time.process_time() - started
        run.finish()
        return used

    without = idle_cpu(False)
    result = {"window_s": seconds, "without_sampling_core_percent": round(without / seconds * 100, 3)}
    for interval in (15, 1):
        result[f"sampling_every_{interval}s_core_percent"] = round((idle_cpu(interval) - without) / seconds * 100, 3)
    return result


def console_capture(url: str, lines: int) -> dict:
    import sys

    import trackstack

    def loop() -> None:
        for index in range(lines):
            print("epoch", index, "loss", 0.5)

    saved, sys.stdout = sys.stdout, open(os.devnull, "w")  # the "terminal": the same for both loops
    try:
        loop()  # warm-up
        without = timed(loop)
        run = trackstack.init(project="bench-console", model="console", url=url, system_metrics=False, console=True)
        with_capture = timed(loop)
        flushed = timed(run.finish)
    finally:
        sys.stdout.close()
        sys.stdout = saved
    return {"lines": lines, "without_client_us_per_line": round(without / lines * 1e6, 2),
            "with_capture_us_per_line": round(with_capture / lines * 1e6, 2),
            "capture_us_per_line": round((with_capture - without) / lines * 1e6, 2),
            "finish_ms": round(flushed * 1e3, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--window", type=float, default=60.0, help="seconds each system metrics setting idles")
    parser.add_argument("--lines", type=int, default=50_000, help="lines the console loop prints")
    parser.add_argument("--only", default="lightning,transformers,keras,optuna,system,console")
    args = parser.parse_args()
    benchmarks = {
        "lightning": lambda: lightning(args.url, args.steps),
        "transformers": lambda: transformers(args.url, args.steps // 4),
        "keras": lambda: keras_fit(args.url, args.steps),
        "optuna": lambda: optuna_study(args.url, args.trials),
        "system": lambda: system_metrics(args.url, args.window),
        "console": lambda: console_capture(args.url, args.lines),
    }
    print(json.dumps({name: benchmarks[name]() for name in args.only.split(",")}, indent=2))


if __name__ == "__main__":
    main()
