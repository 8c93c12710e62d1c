"""Console capture: the tee itself, and a script's output (up to its crash) stored on the server."""
import io
import sys
import textwrap
import unittest
from typing import List, Tuple

import trackstack
from support import FlakyProxy, Server, module_server, run_python, temporary_directory, wait_until
from trackstack import console

server: Server


def setUpModule() -> None:
    global server
    server = module_server()


def console_lines(run_id: str, search: str = None) -> List[dict]:
    return server.api.execute(
        "query($id: ID!, $search: String) { run(id: $id) { console(first: 1000, search: $search) "
        "{ lines { line stream text time } } } }", id=run_id, search=search)["run"]["console"]["lines"]


class CaptureTest(unittest.TestCase):
    """The capture on stand-in streams, so that the test's own output is left alone."""

    def capture(self) -> Tuple[console.ConsoleCapture, List[tuple], io.StringIO]:
        terminal = io.StringIO()
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = terminal
        self.addCleanup(lambda: setattr(sys, "stdout", saved[0]) or setattr(sys, "stderr", saved[1]))
        sent: List[tuple] = []
        capture = console.ConsoleCapture(lambda *line: sent.append(line[:3]), first_line=5)
        return capture, sent, terminal

    def test_tees_whole_lines_of_both_streams_in_one_sequence(self) -> None:
        capture, sent, terminal = self.capture()
        print("epoch 1", end="")
        print(" done")
        print("warning", file=sys.stderr)
        sys.stdout.write("last, unfinished")
        capture.stop()
        print("after stop")

        self.assertEqual(sent, [(5, "STDOUT", "epoch 1 done"), (6, "STDERR", "warning"),
                                (7, "STDOUT", "last, unfinished")])
        self.assertEqual(terminal.getvalue(), "epoch 1 done\nwarning\nlast, unfinishedafter stop\n")
        self.assertIs(sys.stdout, terminal)

    def test_keeps_the_last_rendering_of_a_progress_bar(self) -> None:
        capture, sent, _ = self.capture()
        for percent in (10, 50, 100):
            sys.stderr.write(f"\r{percent}%")
        sys.stderr.write("\n")
        capture.stop()
        self.assertEqual(sent, [(5, "STDERR", "100%")])

    def test_cuts_long_lines_and_replaces_what_the_server_refuses(self) -> None:
        cut = console.cut("x" * 20_000)
        self.assertEqual(len(cut), console.MAX_LINE_LENGTH)
        self.assertTrue(cut.endswith(" … [cut: 20000 characters]"))
        self.assertEqual(console.cut("a\0b\udc80"), "a\ufffdb?")


class StoredTest(unittest.TestCase):
    def test_the_lines_before_a_crash_are_stored_and_still_shown(self) -> None:
        script = textwrap.dedent("""
            import sys, trackstack
            run = trackstack.init(project="console", model="m", url=sys.argv[1], spool_dir=sys.argv[2])
            print("run", run.id)
            for epoch in range(3):
                print(f"epoch {epoch}: loss {1 / (epoch + 1):.3f}")
            print("about to fail", file=sys.stderr)
            raise RuntimeError("diverged")
            """)
        result = run_python(["-c", script, server.url, str(temporary_directory(self))], TRACKSTACK_CONSOLE="on")

        self.assertEqual(result.returncode, 1)
        self.assertIn("epoch 2: loss 0.333", result.stdout)  # the terminal still shows it
        self.assertIn("RuntimeError: diverged", result.stderr)
        run_id = result.stdout.split()[1]
        lines = console_lines(run_id)
        self.assertEqual([line["line"] for line in lines], list(range(len(lines))))
        self.assertEqual([line["text"] for line in lines[:5]], ["run " + run_id, "epoch 0: loss 1.000",
                                                                "epoch 1: loss 0.500", "epoch 2: loss 0.333",
                                                                "about to fail"])
        self.assertEqual(lines[4]["stream"], "STDERR")
        self.assertEqual(lines[-1], dict(lines[-1], stream="STDERR", text="RuntimeError: diverged"))
        self.assertEqual([line["text"] for line in console_lines(run_id, search="TRACEBACK")],
                         ["Traceback (most recent call last):"])

    def test_lines_printed_while_the_server_is_away_wait_in_the_spool(self) -> None:
        proxy = FlakyProxy(server.url)
        self.addCleanup(proxy.close)
        spool_dir = temporary_directory(self)
        run = trackstack.init(project="console", model="m", url=proxy.url, spool_dir=spool_dir, console=True,
                              retry_budget=0.5, max_backoff=0.5, flush_interval=0.1)
        proxy.down = True
        print("while the server is away")
        wait_until(lambda: list(spool_dir.glob("*.jsonl")))
        proxy.down = False
        print("back")
        run.finish()

        texts = [line["text"] for line in console_lines(run.id)]
        # the client's own warning on stderr (the server is unavailable...) is console output like any other
        self.assertEqual([text for text in texts if not text.startswith("Trackstack")],
                         ["while the server is away", "back"])
        self.assertEqual(list(spool_dir.glob("*.jsonl")), [])

    def test_a_resumed_run_numbers_its_lines_on(self) -> None:
        spool_dir = temporary_directory(self)
        first = trackstack.init(project="console", model="m", url=server.url, spool_dir=spool_dir, console=True)
        print("first process")
        first.finish()
        resumed = trackstack.init(project="console", model="m", url=server.url, spool_dir=spool_dir, console=True,
                                  run_id=first.id)
        print("second process")
        resumed.finish()

        lines = wait_until(lambda: console_lines(first.id))
        self.assertEqual([(line["line"], line["text"]) for line in lines],
                         [(0, "first process"), (1, "second process")])
