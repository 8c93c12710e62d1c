"""The client when the server goes away mid-run, and heartbeats: a silent run is CRASHED, a live one revives."""
import os
import signal
import subprocess
import sys
import threading
import time
import unittest
from typing import Callable

import trackstack
from support import CLIENT_DIR, Server, module_server, run_info, series, steps, temporary_directory, wait_until

server: Server


def setUpModule() -> None:
    global server
    server = module_server("--trackstack.heartbeat-timeout=2s", "--trackstack.heartbeat-check-interval=500ms")


class OutageTest(unittest.TestCase):
    def setUp(self) -> None:
        self.spool_dir = temporary_directory(self)

    def test_server_restart_mid_run_loses_and_duplicates_nothing(self) -> None:
        self.check_outage_mid_run(server.stop)

    def test_server_killed_mid_run_loses_and_duplicates_nothing(self) -> None:
        # No graceful shutdown: a batch the server committed but never answered comes back from the client's
        # retry or spool with its batch id, and must count as a duplicate instead of being stored twice.
        self.check_outage_mid_run(server.kill)

    def check_outage_mid_run(self, stop_server: Callable[[], None]) -> None:
        """Logs all through a server outage that `stop_server` starts; the run then holds exactly what was logged."""
        run = trackstack.init(project=self.id(), model="m", url=server.url, spool_dir=self.spool_dir,
                              batch_size=50, flush_interval=0.2, retry_budget=1, max_backoff=1,
                              heartbeat_interval=0.5)
        self.addCleanup(run.finish)
        training = threading.Event()
        logged = []

        def train() -> None:  # logs all through the outage, as a training loop would
            step = 0
            while training.is_set():
                run.log({"loss": 1 / (step + 1), "accuracy": step / 1e4}, step=step, split="train")
                logged.append(step)
                step += 1
                time.sleep(0.01)  # at most ~100 steps a second: a series stays under 10,000 points to read back

        training.set()
        trainer = threading.Thread(target=train)
        trainer.start()
        wait_until(lambda: series(server.api, run.id, "loss", "train")["totalPoints"] > 100)
        with self.assertLogs("trackstack", "WARNING") as logs:
            stop_server()
            logged_before_outage = len(logged)
            wait_until(lambda: list(self.spool_dir.glob("*.jsonl")), timeout=15)
            server.start()  # same port and data directory
            logged_during_outage = len(logged) - logged_before_outage
            time.sleep(1)
            training.clear()
            trainer.join()
            run.finish()
        self.assertTrue(any("unavailable" in line for line in logs.output), logs.output)
        self.assertGreater(logged_during_outage, 100)
        for name in ("loss", "accuracy"):
            stored = series(server.api, run.id, name, "train")
            self.assertEqual(len(logged), stored["totalPoints"])
            self.assertEqual(logged, [point["step"] for point in stored["points"]])
        self.assertEqual("COMPLETED", run_info(server.api, run.id)["status"])
        self.assertEqual([], list(self.spool_dir.glob("*.jsonl")))


class HeartbeatTest(unittest.TestCase):
    def start_training_process(self) -> "tuple[subprocess.Popen, str]":
        """A process with a live run that sends heartbeats twice a second and otherwise sleeps."""
        script = ("import sys, time, trackstack\n"
                  "run = trackstack.init(project='heartbeats', model='m', url=sys.argv[1], spool_dir=sys.argv[2],"
                  " heartbeat_interval=0.5)\n"
                  "print(run.id, flush=True)\n"
                  "time.sleep(120)\n")
        process = subprocess.Popen([sys.executable, "-c", script, server.url, str(temporary_directory(self))],
                                   env=dict(os.environ, PYTHONPATH=str(CLIENT_DIR)), stdout=subprocess.PIPE,
                                   text=True)
        self.addCleanup(process.stdout.close)
        self.addCleanup(process.wait)
        self.addCleanup(process.kill)
        run_id = process.stdout.readline().strip()
        wait_until(lambda: self.last_heartbeat(run_id), timeout=5)  # only a run that sent heartbeats can crash
        return process, run_id

    def status(self, run_id: str) -> str:
        return run_info(server.api, run_id)["status"]

    def test_a_silent_run_crashes_and_its_heartbeats_revive_it(self) -> None:
        process, run_id = self.start_training_process()
        time.sleep(3)  # longer than the server's 2 s timeout: only heartbeats keep it RUNNING
        self.assertEqual("RUNNING", self.status(run_id))
        process.send_signal(signal.SIGSTOP)  # frozen: its heartbeat thread is silent
        wait_until(lambda: self.status(run_id) == "CRASHED", timeout=10)
        process.send_signal(signal.SIGCONT)
        wait_until(lambda: self.status(run_id) == "RUNNING", timeout=5)
        process.kill()
        wait_until(lambda: self.status(run_id) == "CRASHED", timeout=10)

    def test_resuming_revives_a_crashed_run(self) -> None:
        process, run_id = self.start_training_process()
        process.kill()
        wait_until(lambda: self.status(run_id) == "CRASHED", timeout=10)
        resumed = trackstack.init(project="heartbeats", model="m", url=server.url, spool_dir=temporary_directory(self),
                                  run_id=run_id, heartbeat_interval=60)
        self.assertEqual("RUNNING", self.status(run_id))
        resumed.log({"loss": 1.0}, step=0)
        resumed.finish()
        self.assertEqual([0], steps(server.api, run_id, "loss"))
        self.assertEqual("COMPLETED", self.status(run_id))

    def test_heartbeats_stop_when_the_run_finishes(self) -> None:
        run = trackstack.init(project="heartbeats", model="m", url=server.url, spool_dir=temporary_directory(self),
                              heartbeat_interval=0.2)
        wait_until(lambda: self.last_heartbeat(run.id), timeout=5)
        run.finish()
        last = self.last_heartbeat(run.id)
        time.sleep(1)
        self.assertEqual(last, self.last_heartbeat(run.id))
        self.assertEqual("COMPLETED", self.status(run.id))

    def last_heartbeat(self, run_id: str) -> str:
        return server.api.execute("query($id: ID!) { run(id: $id) { lastHeartbeatAt } }",
                                  id=run_id)["run"]["lastHeartbeatAt"]


if __name__ == "__main__":
    unittest.main()
