"""TensorBoard import end to end: event files written by the real tensorboardX and torch.utils.tensorboard, imported
by the packaged server through `trackstack.import_runs` and `java -jar trackstack.jar import`, and every scalar read
back through GraphQL, compared with what TensorBoard's own event file loader reads from the same files."""
import importlib.util
import subprocess
import unittest
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Tuple

import trackstack
from support import JAR, Server, media_series, module_server, run_info, series, temporary_directory

WRITERS = all(importlib.util.find_spec(name) for name in ("tensorboardX", "torch", "tensorboard", "numpy"))

# The API's DateTime shows milliseconds (the server keeps microseconds): times are compared to the millisecond.
SHOWN_US = 1000

# A fixed wall time, for the scalars written with an explicit one: 2026-01-01T00:00:00.123456Z.
T0 = 1_767_225_600.123456

server: Server


def setUpModule() -> None:
    global server
    server = module_server()


def write_tensorboardx(logdir: Path) -> None:
    import numpy
    from tensorboardX import SummaryWriter
    writer = SummaryWriter(str(logdir))
    for step in range(5):
        writer.add_scalar("loss", 1.0 / (step + 1), step)
        writer.add_scalar("acc", step * 0.1, step, walltime=T0 + step)
        writer.add_scalars("pair", {"a": step, "b": -step / 3}, step)
        writer.add_histogram("weights", numpy.random.rand(10), step)
    writer.add_text("note", "hello\nworld", 4)
    writer.add_hparams({"lr": 0.01, "bsize": 32, "optimizer": "adam", "amp": True}, {"hparam/acc": 0.9}, name="hp")
    writer.close()


def write_torch(logdir: Path) -> None:
    import numpy
    from torch.utils.tensorboard import SummaryWriter
    writer = SummaryWriter(str(logdir))
    for step in range(5):
        writer.add_scalar("loss", 1.0 / (step + 1), step * 10)
        # v2 scalars: a rank-0 tensor with the scalars plugin, float32 and float64
        writer.add_scalar("v2/acc", step * 0.2, step * 10, new_style=True)
        writer.add_scalar("v2/lr", 0.5 ** step, step * 10, new_style=True, double_precision=True)
        writer.add_scalars("pair", {"a": step, "b": -step}, step * 10)
        writer.add_histogram("weights", numpy.random.rand(10), step * 10)
    writer.add_text("note", "hi", 20)
    writer.add_hparams({"lr": 0.02, "layers": 4}, {"hparam/loss": 0.1}, run_name="hp")
    writer.close()


def tensorboard_scalars(logdir: Path) -> Dict[str, Dict[str, List[Tuple[int, int, float]]]]:
    """Per run directory (relative to logdir) and tag, the (step, wall time in µs cut to what the API shows, value)
    of every scalar, as TensorBoard reads them (its loader turns v1 simple values into v2 scalar tensors)."""
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    from tensorboard.util import tensor_util
    runs: Dict[str, Dict[str, List[Tuple[int, int, float]]]] = {}
    for file in sorted(logdir.rglob("events.out.tfevents.*")):
        run = file.parent.relative_to(logdir).as_posix()
        plugins: Dict[str, str] = {}  # writers name a tag's plugin on its first value only
        for event in EventFileLoader(str(file)).Load():
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name:
                    plugins.setdefault(value.tag, value.metadata.plugin_data.plugin_name)
                if plugins.get(value.tag) == "scalars":
                    runs.setdefault(run, {}).setdefault(value.tag, []).append(
                        (event.step, round(event.wall_time * 1e6) // SHOWN_US * SHOWN_US, tensor_util.make_ndarray(value.tensor).item()))
    return runs


def stored_scalars(run_id: str, tag: str) -> List[Tuple[int, int, float]]:
    points = series(server.api, run_id, tag)["points"]
    return [(point["step"], micros(point["time"]), point["value"]) for point in points]


def micros(time: str) -> int:
    moment = datetime.fromisoformat(time.replace("Z", "+00:00"))
    return (int(moment.timestamp()) * 1_000_000) + moment.microsecond


@unittest.skipUnless(WRITERS, "tensorboardX, torch or tensorboard is not installed here")
class TensorBoardImportTest(unittest.TestCase):
    def setUp(self) -> None:
        self.logdir = temporary_directory(self)
        write_tensorboardx(self.logdir / "tbx")
        write_torch(self.logdir / "torch")
        self.expected = tensorboard_scalars(self.logdir)

    def test_every_scalar_is_imported_with_its_step_value_and_wall_time_once(self) -> None:
        project = self.id()
        self.assertEqual({"tbx", "tbx/hp", "tbx/pair/a", "tbx/pair/b", "torch", "torch/hp", "torch/pair_a",
                          "torch/pair_b"}, set(self.expected))
        total = sum(len(points) for tags in self.expected.values() for points in tags.values())
        self.assertEqual(5 * 2 + 1 + 5 * 2 + 5 * 3 + 1 + 5 * 2, total)

        job = trackstack.import_runs("tensorboard", str(self.logdir), project=project, url=server.url)

        self.assertEqual(("SUCCEEDED", 8, 8, total, 0), (job["state"], job["runsRead"], job["runsCreated"],
                                                         job["pointsStored"], job["pointsDuplicate"]))
        runs = {run["name"]: run["id"] for run in job["runs"]}
        self.assertEqual(set(self.expected), set(runs))
        for run, tags in self.expected.items():
            for tag, points in tags.items():
                self.assertEqual(points, stored_scalars(runs[run], tag), f"{run} {tag}")
        # The explicit wall times.
        self.assertEqual([1_767_225_600_123_000 + step * 1_000_000 for step in range(5)],
                         [point[1] for point in stored_scalars(runs["tbx"], "acc")])
        self.assertEqual(
            ["run tbx/hp: 1 hparams experiment summary (tag _hparams_/experiment) not imported",
             "run tbx/hp: 1 hparams session end summary (tag _hparams_/session_end_info) not imported",
             "run torch/hp: 1 hparams experiment summary (tag _hparams_/experiment) not imported",
             "run torch/hp: 1 hparams session end summary (tag _hparams_/session_end_info) not imported"],
            job["unmapped"])
        self.assertEqual({"lr": 0.01, "bsize": 32, "optimizer": "adam", "amp": True},
                         run_info(server.api, runs["tbx/hp"])["hyperparameters"])
        self.assertEqual({"lr": 0.02, "layers": 4}, run_info(server.api, runs["torch/hp"])["hyperparameters"])
        self.assertEqual("COMPLETED", run_info(server.api, runs["torch"])["status"])
        self.assertEqual(["note/text_summary (step 4): hello", "world"], self.console(runs["tbx"]))
        self.assertEqual(["note/text_summary (step 20): hi"], self.console(runs["torch"]))
        # Histograms and text as media items (their contents are checked by the server's importer tests).
        for run, steps in (("tbx", [0, 1, 2, 3, 4]), ("torch", [0, 10, 20, 30, 40])):
            self.assertIn(("weights", "HISTOGRAM", steps), [(media["name"], media["kind"], media["steps"])
                                                            for media in media_series(server.api, runs[run])])

        again = trackstack.import_runs("tensorboard", str(self.logdir), project=project, url=server.url)

        self.assertEqual(("SUCCEEDED", 8, 0, 0, total), (again["state"], again["runsRead"], again["runsCreated"],
                                                         again["pointsStored"], again["pointsDuplicate"]))
        self.assertEqual(runs, {run["name"]: run["id"] for run in again["runs"]})
        self.assertEqual(["note/text_summary (step 4): hello", "world"], self.console(runs["tbx"]))

    def test_the_jar_imports_a_log_directory_and_prints_what_it_did_not_import(self) -> None:
        done = subprocess.run(["java", "-jar", str(JAR), "import", "tensorboard", str(self.logdir / "torch"),
                               "--project", self.id(), "--url", server.url], capture_output=True, text=True,
                              timeout=120)

        self.assertEqual(0, done.returncode, done.stdout + done.stderr)
        total = sum(len(points) for run, tags in self.expected.items() if run.startswith("torch")
                    for points in tags.values())
        self.assertIn(f"succeeded: 4 runs read (4 new), {total} points stored, 0 already there", done.stdout)
        self.assertIn("not imported: run hp: 1 hparams experiment summary (tag _hparams_/experiment) not imported",
                      done.stdout)

    def test_a_directory_without_event_files_fails_the_import_with_a_sentence(self) -> None:
        empty = temporary_directory(self)
        (empty / "notes.txt").write_text("no events here")

        with self.assertRaises(trackstack.ImportFailed) as failed:
            trackstack.import_runs("tensorboard", str(empty), project=self.id(), url=server.url)

        self.assertEqual(f"The log directory {empty} holds no TensorBoard event file (events.out.tfevents.*)",
                         str(failed.exception))
        self.assertEqual(0, failed.exception.job["runsRead"])

    def console(self, run_id: str) -> List[str]:
        page = server.api.execute("query($id: ID!) { run(id: $id) { console(first: 100) { lines { text } } } }",
                                  id=run_id)["run"]["console"]
        return [line["text"] for line in page["lines"]]


if __name__ == "__main__":
    unittest.main()
