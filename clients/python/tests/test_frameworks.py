"""The framework integrations, driven by the real frameworks (from tests/requirements-frameworks.txt), on CPU,
against a real server. Each trains a tiny model built here: nothing is downloaded."""
import hashlib
import math
import os
import unittest

os.environ.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", KERAS_BACKEND="torch")

import keras  # noqa: E402 (after KERAS_BACKEND)
import lightning as L  # noqa: E402
import numpy  # noqa: E402
import optuna  # noqa: E402
import torch  # noqa: E402
from lightning.pytorch.callbacks import ModelCheckpoint  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, Dataset, TensorDataset  # noqa: E402
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments  # noqa: E402

import trackstack  # noqa: E402
from support import (Server, media_at, media_series, module_server, pixels, run_info, runs_of_project,  # noqa: E402
                     series, steps, temporary_directory)
from trackstack.integrations.keras import TrackstackKerasCallback  # noqa: E402
from trackstack.integrations.lightning import TrackstackLogger  # noqa: E402
from trackstack.integrations.optuna import TrackstackOptunaCallback  # noqa: E402
from trackstack.integrations.transformers import TrackstackCallback  # noqa: E402

server: Server


def setUpModule() -> None:
    global server
    server = module_server()


def options(test: unittest.TestCase) -> dict:
    return {"url": server.url, "spool_dir": temporary_directory(test), "flush_interval": 0.2}


def values(run_id: str, name: str, split: str = None) -> dict:
    return {point["step"]: point["value"] for point in series(server.api, run_id, name, split)["points"]}


def checkpoint_versions(project: str, name: str) -> "tuple[str, dict]":
    """The type of an artifact and its versions by number: {"aliases", "metadata", "files": {path: sha256}}."""
    artifact = server.api.execute(
        "query($project: String!, $name: String!) { artifact(project: $project, name: $name) { type versions { "
        "edges { node { version aliases metadata files(first: 500) { edges { node { path sha256 } } } } } } } }",
        project=project, name=name)["artifact"]
    return artifact["type"], {node["version"]: {"aliases": sorted(node["aliases"]), "metadata": node["metadata"],
                                                "files": {edge["node"]["path"]: edge["node"]["sha256"]
                                                          for edge in node["files"]["edges"]}}
                              for node in (edge["node"] for edge in artifact["versions"]["edges"])}


def sha256_of(path) -> str:
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


class Regression(L.LightningModule):
    """A few linear layers fitting random targets; 32 samples in batches of 8: 4 steps per epoch."""

    def __init__(self, hidden: int = 8, lr: float = 0.05) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(4, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def training_step(self, batch, index):
        features, targets = batch
        loss = nn.functional.mse_loss(self.net(features), targets)
        self.log("train_loss", loss, on_step=True, on_epoch=True)
        return loss

    def validation_step(self, batch, index):
        features, targets = batch
        self.log("val_loss", nn.functional.mse_loss(self.net(features), targets))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def regression_data(seed: int) -> DataLoader:
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(TensorDataset(torch.randn(32, 4, generator=generator), torch.randn(32, 1, generator=generator)),
                      batch_size=8)


class RegressionWithSamples(Regression):
    """Logs, after each validation, its first layer's weights as an image and its predictions on three inputs as a
    table; `logged` keeps them."""

    def __init__(self) -> None:
        super().__init__()
        self.logged = []

    def on_validation_epoch_end(self) -> None:
        if self.trainer.sanity_checking:
            return
        weights = self.net[0].weight.detach()
        image = ((weights - weights.min()) / (weights.max() - weights.min())).numpy()
        inputs = torch.linspace(-1, 1, 12).reshape(3, 4)
        rows = [[f"input {index}", prediction] for index, prediction in enumerate(self.net(inputs)[:, 0].tolist())]
        self.logger.log_media({"val/weights": trackstack.Image(image, caption=f"epoch {self.current_epoch}"),
                               "val/predictions": trackstack.Table(columns=["input", "prediction"], rows=rows)},
                              step=self.global_step)
        self.logged.append((self.global_step, image, rows))


class LightningTest(unittest.TestCase):
    def fit(self, logger: TrackstackLogger, checkpoints, epochs: int, seed: int, ckpt_path=None) -> None:
        trainer = L.Trainer(logger=logger, max_epochs=epochs, accelerator="cpu", log_every_n_steps=1,
                            enable_progress_bar=False, enable_model_summary=False,
                            callbacks=[ModelCheckpoint(dirpath=checkpoints, save_top_k=-1, filename="{epoch}")])
        trainer.fit(Regression(hidden=8, lr=0.05), regression_data(seed), regression_data(seed + 1),
                    ckpt_path=ckpt_path)

    def test_fit_logs_steps_epochs_and_hyperparameters_and_resuming_rewinds(self) -> None:
        checkpoints = temporary_directory(self)
        logger = TrackstackLogger(project=self.id(), model="regression", name="fit", **options(self))
        self.fit(logger, checkpoints, epochs=2, seed=1)
        run_id = logger.version
        info = run_info(server.api, run_id)
        self.assertEqual(("fit", {"hidden": 8, "lr": 0.05}, "COMPLETED"),
                         (info["name"], info["hyperparameters"], info["status"]))
        self.assertEqual(list(range(8)), steps(server.api, run_id, "loss_step", "train"))
        self.assertEqual([3, 7], steps(server.api, run_id, "loss_epoch", "train"))
        self.assertEqual([3, 7], steps(server.api, run_id, "loss", "val"))
        first = values(run_id, "loss_step", "train")

        # A new process resumes after epoch 0 on other data: steps 4 to 7 are logged anew, not kept from the first.
        resumed = TrackstackLogger(project=self.id(), model="regression", run_id=run_id, **options(self))
        self.assertEqual(run_id, resumed.version)
        self.fit(resumed, temporary_directory(self), epochs=3, seed=7, ckpt_path=checkpoints / "epoch=0.ckpt")
        self.assertEqual(run_id, resumed.version)
        self.assertEqual("COMPLETED", run_info(server.api, run_id)["status"])
        again = values(run_id, "loss_step", "train")
        self.assertEqual(list(range(12)), sorted(again))
        self.assertEqual([first[step] for step in range(4)], [again[step] for step in range(4)])
        for step in range(4, 8):
            self.assertNotEqual(first[step], again[step], step)
        self.assertEqual([3, 7, 11], steps(server.api, run_id, "loss", "val"))


    def test_validation_samples_logged_as_media_through_the_logger(self) -> None:
        logger = TrackstackLogger(project=self.id(), model="regression", **options(self))
        module = RegressionWithSamples()
        trainer = L.Trainer(logger=logger, max_epochs=2, accelerator="cpu", log_every_n_steps=1,
                            enable_progress_bar=False, enable_model_summary=False, enable_checkpointing=False)
        trainer.fit(module, regression_data(1), regression_data(2))

        run_id = logger.version
        self.assertEqual([4, 8], [step for step, _, _ in module.logged])
        self.assertEqual([("val/predictions", "TABLE", [4, 8]), ("val/weights", "IMAGE", [4, 8])],
                         [(media["name"], media["kind"], media["steps"])
                          for media in media_series(server.api, run_id)])
        for epoch, (step, image, rows) in enumerate(module.logged):
            [weights] = media_at(server.api, run_id, "val/weights", step)
            self.assertEqual(f"epoch {epoch}", weights["caption"])
            numpy.testing.assert_array_equal(numpy.rint(image * 255).astype(numpy.uint8),
                                             pixels(server.url, weights["image"]["url"]))
            [predictions] = media_at(server.api, run_id, "val/predictions", step)
            self.assertEqual(rows, predictions["table"]["rows"])

    def test_checkpoints_logged_as_artifacts_with_the_best_aliased(self) -> None:
        checkpoints = temporary_directory(self)
        logger = TrackstackLogger(project=self.id(), model="regression", log_checkpoints=True, **options(self))
        callback = ModelCheckpoint(dirpath=checkpoints, monitor="val_loss", save_top_k=-1, filename="{epoch}")
        trainer = L.Trainer(logger=logger, max_epochs=3, accelerator="cpu", log_every_n_steps=1,
                            enable_progress_bar=False, enable_model_summary=False, callbacks=[callback])
        trainer.fit(Regression(), regression_data(3), regression_data(4))

        kind, versions = checkpoint_versions(self.id(), f"regression-run-{logger.version}")
        self.assertEqual("checkpoint", kind)
        saved = [{f"epoch={epoch}.ckpt": sha256_of(checkpoints / f"epoch={epoch}.ckpt")} for epoch in range(3)]
        self.assertEqual(saved, [versions[number]["files"] for number in sorted(versions)])
        best = [version["files"] for version in versions.values() if "best" in version["aliases"]]
        self.assertEqual([[os.path.basename(callback.best_model_path)]], [list(files) for files in best])
        self.assertEqual("val_loss", versions[1]["metadata"]["monitor"])


class RandomTokens(Dataset):
    def __init__(self, size: int) -> None:
        generator = torch.Generator().manual_seed(size)
        self.ids = torch.randint(0, 50, (size, 12), generator=generator)
        self.labels = torch.randint(0, 2, (size,), generator=generator)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> dict:
        return {"input_ids": self.ids[index], "labels": self.labels[index]}


class TransformersTest(unittest.TestCase):
    def test_trainer_logs_train_and_eval_metrics_and_its_arguments(self) -> None:
        model = BertForSequenceClassification(BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2,
                                                         num_attention_heads=2, intermediate_size=32))
        callback = TrackstackCallback(project=self.id(), model="tiny-bert", config={"dataset": "random"},
                                      **options(self))
        args = TrainingArguments(output_dir=str(temporary_directory(self)), max_steps=6, logging_steps=1,
                                 eval_strategy="steps", eval_steps=3, per_device_train_batch_size=4,
                                 learning_rate=1e-3, report_to=[], use_cpu=True, run_name="finetune",
                                 save_strategy="no")
        Trainer(model=model, args=args, train_dataset=RandomTokens(24), eval_dataset=RandomTokens(8),
                callbacks=[callback]).train()

        run_id = callback.run.id
        info = run_info(server.api, run_id)
        self.assertEqual(("finetune", "COMPLETED"), (info["name"], info["status"]))
        hyperparameters = info["hyperparameters"]
        self.assertEqual((6, 1e-3, 3, "random"), (hyperparameters["max_steps"], hyperparameters["learning_rate"],
                                                  hyperparameters["eval_steps"], hyperparameters["dataset"]))
        self.assertEqual(16, hyperparameters["model_config"]["hidden_size"])
        self.assertEqual(list(range(1, 7)), steps(server.api, run_id, "loss", "train"))
        self.assertEqual(list(range(1, 7)), steps(server.api, run_id, "learning_rate", "train"))
        self.assertEqual([3, 6], steps(server.api, run_id, "loss", "eval"))
        self.assertTrue(all(math.isfinite(value) for value in values(run_id, "loss", "eval").values()))


    def test_samples_logged_as_media_after_each_evaluation(self) -> None:
        model = BertForSequenceClassification(BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2,
                                                         num_attention_heads=2, intermediate_size=32))
        samples = RandomTokens(4)
        logged = []

        def predictions(model) -> dict:
            with torch.no_grad():
                labels = model(input_ids=samples.ids).logits.argmax(-1).tolist()
            rows = [[index, label, int(samples.labels[index])] for index, label in enumerate(labels)]
            weights = model.classifier.weight.detach().numpy()
            logged.append((model.training, rows, weights.copy()))
            return {"eval/predictions": trackstack.Table(columns=["item", "predicted", "label"], rows=rows),
                    "classifier": trackstack.Histogram(weights, bins=8)}

        callback = TrackstackCallback(project=self.id(), model="tiny-bert", samples=predictions, **options(self))
        args = TrainingArguments(output_dir=str(temporary_directory(self)), max_steps=6, logging_steps=1,
                                 eval_strategy="steps", eval_steps=3, per_device_train_batch_size=4,
                                 learning_rate=1e-3, report_to=[], use_cpu=True, save_strategy="no")
        Trainer(model=model, args=args, train_dataset=RandomTokens(24), eval_dataset=RandomTokens(8),
                callbacks=[callback]).train()

        run_id = callback.run.id
        self.assertEqual([False, False], [training for training, _, _ in logged])
        self.assertEqual([("classifier", "HISTOGRAM", [3, 6]), ("eval/predictions", "TABLE", [3, 6])],
                         [(media["name"], media["kind"], media["steps"])
                          for media in media_series(server.api, run_id)])
        for step, (_, rows, weights) in zip((3, 6), logged):
            [table] = media_at(server.api, run_id, "eval/predictions", step)
            self.assertEqual(rows, table["table"]["rows"])
            [histogram] = media_at(server.api, run_id, "classifier", step)
            self.assertEqual(numpy.histogram(weights, 8)[1].tolist(), histogram["histogram"]["edges"])

    def test_saved_checkpoints_logged_as_artifacts_with_the_best_aliased(self) -> None:
        model = BertForSequenceClassification(BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2,
                                                         num_attention_heads=2, intermediate_size=32))
        callback = TrackstackCallback(project=self.id(), model="tiny-bert", log_checkpoints=True, **options(self))
        output = temporary_directory(self)
        args = TrainingArguments(output_dir=str(output), max_steps=6, logging_steps=1, eval_strategy="steps",
                                 eval_steps=3, save_strategy="steps", save_steps=3, metric_for_best_model="eval_loss",
                                 per_device_train_batch_size=4, learning_rate=1e-3, report_to=[], use_cpu=True)
        trainer = Trainer(model=model, args=args, train_dataset=RandomTokens(24), eval_dataset=RandomTokens(8),
                          callbacks=[callback])
        trainer.train()

        kind, versions = checkpoint_versions(self.id(), f"tiny-bert-run-{callback.run.id}")
        self.assertEqual("checkpoint", kind)
        self.assertEqual([3, 6], [versions[number]["metadata"]["step"] for number in sorted(versions)])
        for number, step in ((1, 3), (2, 6)):
            saved = output / f"checkpoint-{step}"
            self.assertEqual({path.relative_to(saved).as_posix(): sha256_of(path)
                              for path in saved.rglob("*") if path.is_file()}, versions[number]["files"])
        self.assertIn("model.safetensors", versions[1]["files"])
        best_step = int(trainer.state.best_model_checkpoint.rsplit("-", 1)[1])
        self.assertEqual([best_step], [version["metadata"]["step"] for version in versions.values()
                                       if "best" in version["aliases"]])


class OptunaTest(unittest.TestCase):
    def test_one_run_per_trial_with_params_reports_and_state(self) -> None:
        def objective(trial: optuna.Trial) -> float:
            x = trial.suggest_float("x", -10, 10)
            optimizer = trial.suggest_categorical("optimizer", ["sgd", "adam"])
            if trial.number == 4:
                return float("nan")  # Optuna marks the trial FAIL
            for step in range(5):
                value = (x - 2) ** 2 + 1 / (step + 1) + (optimizer == "sgd")
                trial.report(value, step)
                if trial.should_prune():
                    raise optuna.TrialPruned()
            return value

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(study_name="quadratic", sampler=optuna.samplers.RandomSampler(seed=3),
                                    pruner=optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1))
        study.optimize(objective, n_trials=20,
                       callbacks=[TrackstackOptunaCallback(project=self.id(), tags=["sweep"], **options(self))])

        runs = {run["name"]: run_info(server.api, run["id"]) for run in runs_of_project(server.api, self.id())}
        self.assertEqual(20, len(runs))
        states = {trial.number: trial.state.name.lower() for trial in study.trials}
        self.assertIn("pruned", states.values())
        self.assertIn("complete", states.values())
        self.assertEqual("fail", states[4])
        for trial in study.trials:
            run = runs[f"trial {trial.number}"]
            self.assertEqual(trial.params, run["hyperparameters"])
            self.assertEqual(["sweep", states[trial.number]], run["tags"])
            self.assertEqual("FAILED" if trial.number == 4 else "COMPLETED", run["status"])
            self.assertEqual(trial.intermediate_values, {step: value for step, value in values(run["id"], "value").items()})
            self.assertEqual([trial.value] if trial.value is not None else [],
                             list(values(run["id"], "objective").values()))
        self.assertEqual({"quadratic"}, {model["name"] for model in server.api.execute(
            "query($p: String!) { project(name: $p) { models { name } } }", p=self.id())["project"]["models"]})


class OmegaConfTest(unittest.TestCase):
    def test_a_dict_config_becomes_resolved_nested_hyperparameters(self) -> None:
        config = OmegaConf.create({"optimizer": {"name": "adam", "lr": 0.001}, "layers": [64, 32],
                                   "scheduler": {"base_lr": "${optimizer.lr}", "name": "cosine-${optimizer.name}"}})
        with trackstack.init(project=self.id(), model="hydra", config=config, **options(self)) as run:
            run.log({"loss": 1.0}, step=0)
        self.assertEqual({"optimizer": {"name": "adam", "lr": 0.001}, "layers": [64, 32],
                          "scheduler": {"base_lr": 0.001, "name": "cosine-adam"}},
                         run_info(server.api, run.id)["hyperparameters"])
        found = server.api.execute('query($p: String) { runs(project: $p, filter: {params: [{key: '
                                   '"scheduler.base_lr", op: EQ, value: 0.001}]}) { edges { node { id } } } }',
                                   p=self.id())
        self.assertEqual([run.id], [edge["node"]["id"] for edge in found["runs"]["edges"]])


class KerasTest(unittest.TestCase):
    def test_fit_logs_batch_and_epoch_metrics_with_their_splits(self) -> None:
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        callback = TrackstackKerasCallback(project=self.id(), model="dense", config={"units": 8}, **options(self))
        features, targets = numpy.random.rand(32, 4), numpy.random.rand(32, 1)
        model.fit(features, targets, batch_size=8, epochs=2, validation_data=(features[:8], targets[:8]),
                  callbacks=[callback], verbose=0)

        run_id = callback.run.id
        info = run_info(server.api, run_id)
        self.assertEqual("COMPLETED", info["status"])
        self.assertEqual((8, 2, 4), (info["hyperparameters"]["units"], info["hyperparameters"]["fit"]["epochs"],
                                     info["hyperparameters"]["fit"]["steps"]))
        self.assertEqual(list(range(8)), steps(server.api, run_id, "loss", "train"))
        self.assertEqual(list(range(8)), steps(server.api, run_id, "mae", "train"))
        self.assertEqual([3, 7], steps(server.api, run_id, "loss", "val"))
        self.assertEqual([3, 7], steps(server.api, run_id, "mae", "val"))
        self.assertEqual({3: 0, 7: 1}, values(run_id, "epoch", "train"))


if __name__ == "__main__":
    unittest.main()
