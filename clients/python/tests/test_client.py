"""The client against a real server: logging, batching, retries, the spool, rejections, resuming."""
import json
import os
import time
import unittest
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from unittest import mock

import trackstack
from support import (FlakyProxy, Server, module_proxy, module_server, run_info, run_python, runs_of_project,
                     series, steps, temporary_directory, wait_until)

server: Server
proxy: FlakyProxy


def setUpModule() -> None:
    global server, proxy
    server = module_server()
    proxy = module_proxy(server)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))  # Python 3.9 does not read "Z"


class ClientTest(unittest.TestCase):
    def setUp(self) -> None:
        self.spool_dir = temporary_directory(self)
        self.project = self.id()
        proxy.fail_next = 0
        proxy.fail_unavailable = False
        proxy.down = False

    def start(self, url: str = "", **options: Any) -> trackstack.Run:
        """A run of this test's project; quick retries so that failures show within seconds."""
        options = {"retry_budget": 1.0, "max_backoff": 0.5, "flush_interval": 0.2, **options}
        run = trackstack.init(project=self.project, model="m", url=url or server.url, spool_dir=self.spool_dir,
                              **options)
        self.addCleanup(run.finish)
        return run

    def spool_files(self) -> list:
        return list(self.spool_dir.glob("*.jsonl"))

    def calls_of(self, run: trackstack.Run) -> list:
        return [call for call in proxy.log_metrics_calls if call["runId"] == run.id]


def points_in(call: dict) -> int:
    """The points of a logMetrics call, sent as columns."""
    return sum(len(column["steps"]) for column in call["columns"])


class LoggingTest(ClientTest):
    def test_a_run_without_a_model_goes_to_the_projects_default_model(self) -> None:
        with trackstack.init(project=self.project, url=server.url, spool_dir=self.spool_dir) as run:
            run.log({"loss": 0.5}, step=0)
        models = server.api.execute("query($p: String!) { project(name: $p) { models { name "
                                    "runs { edges { node { id } } } } } }", p=self.project)["project"]["models"]
        self.assertEqual([{"name": "default", "runs": {"edges": [{"node": {"id": run.id}}]}}], models)

    def test_logged_points_read_back_with_config_and_status(self) -> None:
        run = trackstack.init(project=self.project, model="resnet", name="first",
                              config={"lr": 0.01, "depth": 3, "data": Path("/data")}, tags=["a", "b"], notes="hello",
                              url=server.url, spool_dir=self.spool_dir)
        measured = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
        for step in range(100):
            run.log({"loss": 1.0 / (step + 1), "accuracy": step / 100}, step=step, split="train")
        run.log({"loss": 0.5}, step=99, split="validation", time=measured)
        run.log({"lr": 0.1})  # no step: the one after the previous call's
        run.finish()

        loss = series(server.api, run.id, "loss", "train")
        self.assertEqual(100, loss["totalPoints"])
        self.assertEqual(list(range(100)), [point["step"] for point in loss["points"]])
        self.assertAlmostEqual(1 / 7, loss["points"][6]["value"])
        validation = series(server.api, run.id, "loss", "validation")["points"]
        self.assertEqual([(99, 0.5, measured)], [(p["step"], p["value"], parse_time(p["time"])) for p in validation])
        self.assertEqual([100], steps(server.api, run.id, "lr"))
        info = run_info(server.api, run.id)
        self.assertEqual(("first", "COMPLETED", ["a", "b"], "hello"),
                         (info["name"], info["status"], info["tags"], info["notes"]))
        self.assertEqual({"lr": 0.01, "depth": 3, "data": "/data"}, info["hyperparameters"])
        self.assertEqual([], self.spool_files())

    def test_url_and_token_default_to_the_environment(self) -> None:
        proxy.authorizations.clear()
        with mock.patch.dict(os.environ, TRACKSTACK_URL=proxy.url, TRACKSTACK_TOKEN="s3cret"):
            run = trackstack.init(project=self.project, model="m", spool_dir=self.spool_dir)
        run.log({"loss": 1.0}, step=0)
        run.finish()
        self.assertEqual([0], steps(server.api, run.id, "loss"))
        self.assertGreaterEqual(len(proxy.authorizations), 3)  # createModel, createRun, logMetrics, ...
        self.assertEqual({"Bearer s3cret"}, set(proxy.authorizations))

    def test_nan_and_infinity_round_trip(self) -> None:
        run = self.start()
        values = [float("nan"), float("inf"), float("-inf"), 1.5]
        for step, value in enumerate(values):
            run.log({"loss": value}, step=step)
        run.finish()
        stored = [point["value"] for point in series(server.api, run.id, "loss")["points"]]
        self.assertEqual(["NaN", "Infinity", "-Infinity", 1.5], stored)
        summary = run_info(server.api, run.id)["summaries"][0]
        self.assertEqual((4, 1.5, 1.5, 1.5), (summary["count"], summary["last"], summary["min"], summary["max"]))

    def test_points_travel_as_columns_and_read_back_as_logged(self) -> None:
        run = self.start(url=proxy.url)
        run.log({"loss": float("nan"), "acc": 0.5}, step=0)
        run.log({"loss": float("inf")}, step=1, split="train")
        run.log({"loss": 0.25}, step=1)
        self.assertTrue(run.flush())
        (call,) = self.calls_of(run)
        self.assertEqual([("loss", None, [0, 1], ["NaN", 0.25]), ("acc", None, [0], [0.5]),
                          ("loss", "train", [1], ["Infinity"])],
                         [(c["name"], c["split"], c["steps"], c["values"]) for c in call["columns"]])
        self.assertTrue(all(len(c["times"]) == len(c["steps"]) for c in call["columns"]))
        self.assertEqual(["NaN", 0.25], [p["value"] for p in series(server.api, run.id, "loss")["points"]])

    def test_columns_keep_points_without_a_time_apart(self) -> None:
        from trackstack.api import metric_columns
        columns = metric_columns([{"name": "a", "split": "", "step": 0, "value": 1.0, "time": "2026-01-01T00:00:00Z"},
                                  {"name": "a", "split": None, "step": 1, "value": 2.0},
                                  {"name": "a", "split": None, "step": 2, "value": 3.0, "time": "2026-01-02T00:00:00Z"}])
        self.assertEqual([{"name": "a", "split": None, "steps": [0, 2], "values": [1.0, 3.0],
                           "times": ["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"]},
                          {"name": "a", "split": None, "steps": [1], "values": [2.0]}], columns)

    def test_batches_by_count(self) -> None:
        run = self.start(url=proxy.url, batch_size=100, flush_interval=60)
        for step in range(500):
            run.log({"loss": 1.0, "accuracy": 0.5}, step=step)
        # No flush, and the time limit is far off: only full batches go out.
        wait_until(lambda: series(server.api, run.id, "accuracy")["totalPoints"] == 500)
        self.assertEqual([100] * 10, [points_in(call) for call in self.calls_of(run)])
        self.assertEqual(10, len({call["batchId"] for call in self.calls_of(run)}))

    def test_batches_by_time(self) -> None:
        run = self.start(url=proxy.url, batch_size=1000, flush_interval=0.5)
        started = time.monotonic()
        for step in range(5):
            run.log({"loss": 1.0}, step=step)
        # No flush, and far fewer points than a batch: they go out when the interval has passed.
        wait_until(lambda: series(server.api, run.id, "loss")["totalPoints"] == 5, timeout=5)
        self.assertLess(time.monotonic() - started, 3)
        self.assertEqual([5], [points_in(call) for call in self.calls_of(run)])

    def test_context_manager_marks_failed_on_exception_and_completed_otherwise(self) -> None:
        with self.assertRaises(ZeroDivisionError):
            with self.start() as failing:
                failing.log({"loss": 1.0}, step=0)
                1 / 0
        with self.start() as succeeding:
            succeeding.log({"loss": 1.0}, step=0)
        failed = run_info(server.api, failing.id)
        self.assertEqual("FAILED", failed["status"])
        self.assertEqual("ZeroDivisionError", failed["failure"]["type"])
        self.assertEqual("division by zero", failed["failure"]["message"])
        self.assertIn("1 / 0", failed["failure"]["traceback"])
        self.assertEqual("COMPLETED", run_info(server.api, succeeding.id)["status"])
        self.assertIsNone(run_info(server.api, succeeding.id)["failure"])
        self.assertEqual([0], steps(server.api, failing.id, "loss"))

    def test_run_fail_marks_failed(self) -> None:
        run = self.start()
        run.log({"loss": 1.0}, step=0)
        run.fail()
        self.assertEqual("FAILED", run_info(server.api, run.id)["status"])
        self.assertIsNone(run_info(server.api, run.id)["failure"])
        self.assertEqual([0], steps(server.api, run.id, "loss"))

    def test_run_fail_says_why_and_keeps_the_end_of_a_long_traceback(self) -> None:
        run = self.start()
        try:
            raise MemoryError("out of memory " + "x" * 70_000)  # longer than the server keeps
        except MemoryError as error:
            run.fail(error)
        failure = run_info(server.api, run.id)["failure"]
        self.assertEqual("MemoryError", failure["type"])
        self.assertEqual(8_192, len(failure["message"]))
        self.assertTrue(failure["message"].startswith("out of memory x"))
        self.assertEqual(65_536, len(failure["traceback"]))
        self.assertTrue(failure["traceback"].endswith("x" * 1_000 + "\n"))

    def test_exit_hook_sends_pending_points_or_spools_them_for_sync(self) -> None:
        script = ("import trackstack, sys\n"
                  "run = trackstack.init(project=sys.argv[1], model='m', url=sys.argv[2], spool_dir=sys.argv[3],"
                  " flush_interval=60, retry_budget=0.5)\n"
                  "for step in range(300): run.log({'loss': step}, step=step)\n"
                  "print(run.id)\n")  # and ends without finish()
        result = run_python(["-c", script, self.project, server.url, str(self.spool_dir)])
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual(list(range(300)), steps(server.api, result.stdout.strip(), "loss"))
        self.assertEqual([], list(self.spool_dir.iterdir()))

        proxy.down = True
        result = run_python(["-c", script, self.project + ".offline", proxy.url, str(self.spool_dir)])
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual("None", result.stdout.strip())
        self.assertIn("300 points of run (not created yet) are not on", result.stderr)  # the exit hook's message
        self.assertIn("python -m trackstack sync", result.stderr)
        [spool_file] = self.spool_files()
        entries = [json.loads(line) for line in spool_file.read_text().splitlines()[1:]]
        self.assertEqual(list(range(300)), [point["step"] for entry in entries for point in entry["points"]])

        result = run_python(["-m", "trackstack", "sync", "--url", server.url, "--spool-dir", str(self.spool_dir)])
        self.assertEqual(0, result.returncode, result.stderr)
        [synced] = runs_of_project(server.api, self.project + ".offline")
        self.assertEqual(list(range(300)), steps(server.api, synced["id"], "loss"))
        self.assertEqual("RUNNING", synced["status"])  # no finish(): the status was never decided
        self.assertEqual([], list(self.spool_dir.iterdir()))


    def test_a_batch_of_500_names_at_each_of_20_steps_is_stored_whole(self) -> None:
        run = self.start()
        for step in range(10_000, 10_020):  # as a global step counts
            run.log({f"layer{i}.grad_norm": i / 500 for i in range(500)}, step=step)
        run.finish()
        summaries = run_info(server.api, run.id)["summaries"]
        self.assertEqual((500, 10_000), (len(summaries), sum(summary["count"] for summary in summaries)))
        self.assertEqual([], self.spool_files())


class FailureTest(ClientTest):
    def test_retries_after_server_errors_with_the_same_batch_id(self) -> None:
        for unavailable in (False, True):  # HTTP 503; the error UNAVAILABLE, as while the database is down
            with self.subTest(unavailable=unavailable):
                proxy.fail_unavailable = unavailable
                run = self.start(url=proxy.url, retry_budget=10)
                proxy.fail_next = 3
                for step in range(10):
                    run.log({"loss": step}, step=step)
                self.assertTrue(run.flush())
                calls = self.calls_of(run)
                self.assertEqual(4, len(calls))  # three failed, the fourth got through
                self.assertEqual(1, len({call["batchId"] for call in calls}))
                self.assertEqual(list(range(10)), steps(server.api, run.id, "loss"))
                self.assertEqual([], self.spool_files())

    def test_rejected_batch_is_dropped_with_a_warning_and_logging_goes_on(self) -> None:
        run = self.start()
        with self.assertLogs("trackstack", "WARNING") as logs:
            run.log({"": 1.0}, step=0)  # the server refuses an empty metric name
            run.flush()
        self.assertIn("rejected 1 points", logs.output[0])
        self.assertIn("BAD_USER_INPUT", logs.output[0])
        run.log({"loss": 2.0}, step=1)
        run.finish()
        self.assertEqual([1], steps(server.api, run.id, "loss"))
        self.assertEqual("COMPLETED", run_info(server.api, run.id)["status"])
        self.assertEqual([], self.spool_files())

    def test_not_a_number_is_skipped_with_a_warning(self) -> None:
        run = self.start()
        with self.assertLogs("trackstack", "WARNING") as logs:
            run.log({"loss": 1.0, "label": "cat"}, step=0)
        self.assertIn("'label'", logs.output[0])
        run.finish()
        self.assertEqual([0], steps(server.api, run.id, "loss"))
        self.assertEqual(0, series(server.api, run.id, "label")["totalPoints"])

    def test_server_down_at_init_creates_the_run_when_it_is_back(self) -> None:
        proxy.down = True
        with self.assertLogs("trackstack", "WARNING"):
            run = self.start(url=proxy.url, name="offline", config={"lr": 0.5}, tags=["late"])
        self.assertIsNone(run.id)
        for step in range(20):
            run.log({"loss": step}, step=step)
        self.assertFalse(run.flush())
        self.assertEqual(1, len(self.spool_files()))
        proxy.down = False
        self.assertTrue(run.flush())
        self.assertIsNotNone(run.id)
        self.assertEqual(list(range(20)), steps(server.api, run.id, "loss"))
        info = run_info(server.api, run.id)
        self.assertEqual(("offline", {"lr": 0.5}, ["late"]), (info["name"], info["hyperparameters"], info["tags"]))
        self.assertEqual([], self.spool_files())

    def test_server_back_during_the_run_replays_the_spool_by_itself(self) -> None:
        run = self.start(url=proxy.url)
        run.log({"loss": 0}, step=0)
        self.assertTrue(run.flush())
        proxy.down = True
        with self.assertLogs("trackstack", "WARNING"):
            for step in range(1, 50):
                run.log({"loss": step}, step=step)
            wait_until(self.spool_files, timeout=10)
        proxy.down = False
        # No flush: the sender replays on its own once the server answers again.
        wait_until(lambda: series(server.api, run.id, "loss")["totalPoints"] == 50, timeout=10)
        wait_until(lambda: not self.spool_files(), timeout=5)
        self.assertEqual(list(range(50)), steps(server.api, run.id, "loss"))

    def test_full_queue_spills_to_the_spool_without_blocking(self) -> None:
        run = self.start(url=proxy.url, max_queue=10, batch_size=10, retry_budget=60)
        proxy.down = True  # the sender is stuck retrying its first batch for a minute
        started = time.monotonic()
        for step in range(200):
            run.log({"loss": step}, step=step)
        self.assertLess(time.monotonic() - started, 20)
        entries = [json.loads(line) for line in self.spool_files()[0].read_text().splitlines()[1:]]
        self.assertGreater(sum(len(entry["points"]) for entry in entries), 0)
        proxy.log_metrics_calls.clear()
        proxy.down = False
        run.finish()
        self.assertEqual(list(range(200)), steps(server.api, run.id, "loss"))
        # The spilled points went out together, not one request per log() call.
        self.assertLess(len(proxy.log_metrics_calls), 20)
        self.assertEqual("COMPLETED", run_info(server.api, run.id)["status"])

    def test_sync_command_sends_what_an_ended_process_left_in_the_spool(self) -> None:
        proxy.down = True
        with self.assertLogs("trackstack", "WARNING"):
            run = self.start(url=proxy.url, name="synced")
            for step in range(30):
                run.log({"loss": step}, step=step)
            run.finish()
        self.assertEqual(1, len(self.spool_files()))
        self.assertEqual([], runs_of_project(server.api, self.project))

        result = run_python(["-m", "trackstack", "sync", "--url", server.url, "--spool-dir", str(self.spool_dir)])
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn("1 spool file(s) replayed, 0 left", result.stdout)
        [synced] = runs_of_project(server.api, self.project)
        self.assertEqual(("synced", "COMPLETED"), (synced["name"], synced["status"]))
        self.assertEqual(list(range(30)), steps(server.api, synced["id"], "loss"))
        self.assertEqual([], list(self.spool_dir.iterdir()))

    def test_the_next_run_sends_what_an_ended_process_left_in_the_spool(self) -> None:
        script = ("import trackstack, sys\n"
                  "run = trackstack.init(project=sys.argv[1], model='m', url=sys.argv[2], spool_dir=sys.argv[3],"
                  " retry_budget=0.5)\n"
                  "for step in range(300): run.log({'loss': step}, step=step)\n"
                  "run.finish()\n")
        proxy.down = True  # as a server killed for longer than the retry budget
        result = run_python(["-c", script, self.project + ".offline", proxy.url, str(self.spool_dir)])
        self.assertEqual(0, result.returncode, result.stderr)
        [message] = [line for line in result.stderr.splitlines() if "wait in" in line]
        self.assertIn(f"300 points of run (not created yet) are not on {proxy.url} yet and wait in {self.spool_dir}",
                      message)
        self.assertIn("the next trackstack.init() with this spool directory sends them in the background "
                      "(or now: python -m trackstack sync)", message)
        proxy.down = False

        run = self.start()  # another run, in the same spool directory, and no sync
        run.log({"loss": 1.0}, step=0)
        wait_until(lambda: not self.spool_files(), timeout=30)
        [offline] = runs_of_project(server.api, self.project + ".offline")
        self.assertEqual(list(range(300)), steps(server.api, offline["id"], "loss"))
        self.assertEqual("COMPLETED", offline["status"])
        run.finish()
        self.assertEqual([0], steps(server.api, run.id, "loss"))

    def test_sync_leaves_a_spool_a_live_process_holds(self) -> None:
        proxy.down = True
        with self.assertLogs("trackstack", "WARNING"):
            run = self.start(url=proxy.url)
        result = run_python(["-m", "trackstack", "sync", "--url", server.url, "--spool-dir", str(self.spool_dir)])
        self.assertEqual(1, result.returncode)
        self.assertIn("0 spool file(s) replayed, 1 left", result.stdout)
        self.assertEqual([], runs_of_project(server.api, self.project))
        proxy.down = False
        self.assertTrue(run.flush())
        self.assertEqual(1, len(runs_of_project(server.api, self.project)))


class ResumeTest(ClientTest):
    def test_resume_continues_a_run(self) -> None:
        first = self.start()
        first.log({"loss": 1.0}, step=0)
        first.finish()
        resumed = self.start(run_id=first.id)
        self.assertEqual(first.id, resumed.id)
        self.assertEqual("RUNNING", run_info(server.api, first.id)["status"])
        resumed.log({"loss": 2.0}, step=1)
        resumed.finish()
        self.assertEqual([0, 1], steps(server.api, first.id, "loss"))
        self.assertEqual("COMPLETED", run_info(server.api, first.id)["status"])

    def test_resume_from_step_drops_later_points_first(self) -> None:
        first = self.start()
        for step in range(100):
            first.log({"loss": 1.0, "accuracy": 0.5}, step=step, split="train")
        first.finish()
        resumed = self.start(run_id=first.id, from_step=49)
        for _ in range(10):
            resumed.log({"loss": 2.0}, split="train")  # steps continue after from_step
        resumed.finish()
        loss = series(server.api, first.id, "loss", "train")["points"]
        self.assertEqual(list(range(60)), [point["step"] for point in loss])
        self.assertEqual([1.0] * 50 + [2.0] * 10, [point["value"] for point in loss])
        self.assertEqual(list(range(50)), steps(server.api, first.id, "accuracy", "train"))
        summaries = {s["name"]: s for s in run_info(server.api, first.id)["summaries"]}
        self.assertEqual((60, 2.0), (summaries["loss"]["count"], summaries["loss"]["last"]))

    def test_resume_of_an_unknown_run_is_refused(self) -> None:
        with self.assertRaises(trackstack.RequestRejected) as raised:
            trackstack.init(project=self.project, model="m", url=server.url, run_id="987654",
                            spool_dir=self.spool_dir)
        self.assertEqual("NOT_FOUND", raised.exception.code)


if __name__ == "__main__":
    unittest.main()
