"""The framework adapters, driven by stand-ins for the frameworks, and the example script, against a server."""
import argparse
import unittest
from types import SimpleNamespace
from typing import Any, Dict

from support import Server, module_server, run_info, run_python, runs_of_project, series, steps, temporary_directory
from trackstack.integrations.lightning import TrackstackLogger
from trackstack.integrations.transformers import TrackstackCallback

server: Server


def setUpModule() -> None:
    global server
    server = module_server()


def options(test: unittest.TestCase) -> Dict[str, Any]:
    return {"url": server.url, "spool_dir": temporary_directory(test), "flush_interval": 0.2}


class LightningLoggerTest(unittest.TestCase):
    def test_logs_hyperparameters_and_metrics_by_split_then_completes(self) -> None:
        logger = TrackstackLogger(project=self.id(), model="lit", name="fit", **options(self))
        self.assertIsNone(logger.version)  # not started by asking
        logger.log_hyperparams(argparse.Namespace(lr=0.1, layers=4))
        for step in range(3):
            logger.log_metrics({"train_loss": 1.0 / (step + 1), "val/acc": 0.5 + step / 10, "epoch": 0}, step=step)
        logger.finalize("success")

        run_id = logger.version
        self.assertEqual(run_id, logger.experiment.id)
        self.assertEqual("lit", logger.name)
        info = run_info(server.api, run_id)
        self.assertEqual(("fit", {"lr": 0.1, "layers": 4}, "COMPLETED"),
                         (info["name"], info["hyperparameters"], info["status"]))
        self.assertEqual([1.0, 0.5, 1 / 3], [p["value"] for p in series(server.api, run_id, "loss", "train")["points"]])
        self.assertEqual([0, 1, 2], steps(server.api, run_id, "acc", "val"))
        self.assertEqual([0, 1, 2], steps(server.api, run_id, "epoch"))

    def test_failed_fit_marks_the_run_failed(self) -> None:
        logger = TrackstackLogger(project=self.id(), model="lit", **options(self))
        logger.log_metrics({"train_loss": 1.0}, step=0)
        logger.finalize("failed")
        self.assertEqual("FAILED", run_info(server.api, logger.version)["status"])


class TransformersCallbackTest(unittest.TestCase):
    def test_trainer_logs_reach_the_run(self) -> None:
        callback = TrackstackCallback(project=self.id(), model="bert", config={"dataset": "imdb"}, **options(self))
        args = SimpleNamespace(run_name="finetune", to_sanitized_dict=lambda: {"learning_rate": 5e-5, "epochs": 2})
        model = SimpleNamespace(config=SimpleNamespace(to_dict=lambda: {"hidden_size": 768}))
        state = SimpleNamespace(is_world_process_zero=True, global_step=0)
        callback.on_train_begin(args, state, None, model=model)
        for step in (10, 20):
            state.global_step = step
            callback.on_log(args, state, None, logs={"loss": 0.5, "learning_rate": 1e-5, "epoch": step / 20})
        callback.on_log(args, state, None, logs={"eval_loss": 0.7, "eval_runtime": 1.5, "note": "text"})
        callback.on_train_end(args, state, None)

        run_id = callback.run.id
        info = run_info(server.api, run_id)
        self.assertEqual("finetune", info["name"])
        self.assertEqual({"learning_rate": 5e-5, "epochs": 2, "model_config": {"hidden_size": 768},
                          "dataset": "imdb"}, info["hyperparameters"])
        self.assertEqual("COMPLETED", info["status"])
        self.assertEqual([10, 20], steps(server.api, run_id, "loss", "train"))
        self.assertEqual([10, 20], steps(server.api, run_id, "learning_rate", "train"))
        self.assertEqual([20], steps(server.api, run_id, "loss", "eval"))
        self.assertEqual({("epoch", "train"), ("learning_rate", "train"), ("loss", "eval"), ("loss", "train"),
                          ("runtime", "eval")}, {(s["name"], s["split"]) for s in info["summaries"]})

    def test_only_the_main_process_logs(self) -> None:
        callback = TrackstackCallback(project=self.id(), model="bert", **options(self))
        state = SimpleNamespace(is_world_process_zero=False, global_step=0)
        callback.on_train_begin(SimpleNamespace(to_sanitized_dict=dict), state, None)
        callback.on_log(None, state, None, logs={"loss": 1.0})
        callback.on_train_end(None, state, None)
        self.assertIsNone(callback.run)
        self.assertEqual([], runs_of_project(server.api, self.id()))


class ExampleTest(unittest.TestCase):
    def test_simulated_training_runs_end_to_end(self) -> None:
        result = run_python(["examples/simulate_training.py", "--url", server.url, "--project", self.id(),
                             "--steps", "300", "--delay", "0", "--seed", "1"],
                            TRACKSTACK_SPOOL_DIR=str(temporary_directory(self)))
        self.assertEqual(0, result.returncode, result.stderr)
        [run] = runs_of_project(server.api, self.id())
        self.assertEqual("COMPLETED", run["status"])
        self.assertIn(f"run {run['id']} completed", result.stdout)
        for name in ("loss", "accuracy", "lr"):
            self.assertEqual(list(range(300)), steps(server.api, run["id"], name, "train"))
        self.assertEqual(list(range(5, 300, 6)), steps(server.api, run["id"], "loss", "validation"))
        train_loss = [p["value"] for p in series(server.api, run["id"], "loss", "train")["points"]]
        self.assertLess(sum(train_loss[-30:]), sum(train_loss[:30]) / 3)  # it learns
        self.assertEqual("adamw lr=0.003 seed=1", run["name"])

    def test_a_sweep_varies_what_it_compares(self) -> None:
        result = run_python(["examples/simulate_training.py", "--url", server.url, "--project", self.id(),
                             "--steps", "200", "--delay", "0", "--sweep", "8"],
                            TRACKSTACK_SPOOL_DIR=str(temporary_directory(self)))
        self.assertEqual(0, result.returncode, result.stderr)
        runs = runs_of_project(server.api, self.id())
        self.assertEqual({f"{optimizer} lr={lr} seed=0" for optimizer in ("adamw", "sgd")
                          for lr in ("0.0001", "0.0003", "0.001", "0.003")}, {run["name"] for run in runs})
        final = {run["name"]: series(server.api, run["id"], "loss", "validation")["points"][-1]["value"] for run in runs}
        # The best learning rate wins, and AdamW beats SGD at it.
        self.assertEqual("adamw lr=0.003 seed=0", min(final, key=final.get))
        self.assertLess(final["adamw lr=0.003 seed=0"], final["sgd lr=0.003 seed=0"])


if __name__ == "__main__":
    unittest.main()
