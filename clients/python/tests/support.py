"""What the tests share: a real Trackstack server started from $TRACKSTACK_JAR, a flaky proxy, and queries."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from trackstack.api import Api

# The tests count the points and calls a run makes: system metrics and console capture, on by default, would add
# their own. Their tests (test_system, test_console) turn them on where they want them.
os.environ.setdefault("TRACKSTACK_SYSTEM_METRICS", "off")
os.environ.setdefault("TRACKSTACK_CONSOLE", "off")

CLIENT_DIR = Path(__file__).resolve().parents[1]
JAR = Path(os.environ.get("TRACKSTACK_JAR") or CLIENT_DIR / "../../backend/target/trackstack.jar")


def temporary_directory(test: unittest.TestCase) -> Path:
    """A fresh directory, removed when the test ends."""
    directory = Path(tempfile.mkdtemp(prefix="trackstack-test-"))
    test.addCleanup(shutil.rmtree, directory, ignore_errors=True)
    return directory


def module_server(*args: str) -> "Server":
    """A server started for the test module calling this from setUpModule, removed after the module's tests."""
    server = Server(*args)
    server.start()
    unittest.addModuleCleanup(server.remove)
    return server


def module_proxy(server: "Server") -> "FlakyProxy":
    """A FlakyProxy in front of `server` for the test module calling this from setUpModule, closed after its tests."""
    proxy = FlakyProxy(server.url)
    unittest.addModuleCleanup(proxy.close)
    return proxy


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A Trackstack server process on 127.0.0.1 with its data in a temporary directory (kept across restarts)."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.api = Api(self.url)
        self.workdir = Path(tempfile.mkdtemp(prefix="trackstack-test-"))
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> None:
        if not JAR.is_file():
            raise RuntimeError(f"no server jar at {JAR}; set TRACKSTACK_JAR")
        log = open(self.workdir / "server.log", "ab")
        self.process = subprocess.Popen(  # C1 only (TieredStopAtLevel=1): a faster start for a short life
            ["java", "-XX:TieredStopAtLevel=1", "-jar", str(JAR), f"--server.port={self.port}",
             "--server.address=127.0.0.1", f"--trackstack.data-dir={self.workdir / 'data'}", *self.args],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir)
        log.close()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/actuator/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"server not healthy after 90 s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown (the next start takes over the data directory)."""
        self.process.kill()
        self.process.wait()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def log_tail(self) -> str:
        return (self.workdir / "server.log").read_text(errors="replace")[-4000:]


class JsonHandler(BaseHTTPRequestHandler):
    """A request handler of the tests' small HTTP servers: answers JSON, logs nothing."""

    def answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class LocalServer:
    """An HTTP server on a free port of 127.0.0.1, serving on a thread of its own until close()."""

    def serve(self, handler: type) -> str:
        """Starts serving with `handler`; answers the server's base URL."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class FlakyProxy(LocalServer):
    """A proxy on 127.0.0.1 in front of a server that can fail requests like a bad network or a sick server.

    `fail_next`: answer that many of the next logMetrics requests with 503, or with the GraphQL error UNAVAILABLE
    that the server answers while its database is down if `fail_unavailable` is set. `down`: drop connections
    without an answer.
    `log_metrics_calls`: the variables of every logMetrics request that reached the proxy; `log_media_bytes`: the
    body size of every logMedia request; `authorizations`: the Authorization header of every request.
    """

    def __init__(self, target_url: str) -> None:
        self.target = target_url
        self.fail_next = 0
        self.fail_unavailable = False
        self.down = False
        self.log_metrics_calls: List[Dict[str, Any]] = []
        self.log_media_bytes: List[int] = []
        self.authorizations: List[Optional[str]] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = json.loads(body)
                log_metrics = "logMetrics" in request.get("query", "")  # OTLP JSON has none
                with proxy._lock:
                    proxy.authorizations.append(self.headers["Authorization"])
                    if log_metrics:
                        proxy.log_metrics_calls.append(request["variables"])
                    if "logMedia" in request.get("query", ""):
                        proxy.log_media_bytes.append(len(body))
                    if proxy.down:
                        return  # no answer: the client sees the connection closed
                    failing = log_metrics and proxy.fail_next > 0
                    proxy.fail_next -= failing
                if failing and proxy.fail_unavailable:
                    self.answer(json.dumps({"errors": [{"message": "The database is unavailable. Retry later.",
                                                        "extensions": {"code": "UNAVAILABLE"}}], "data": None}).encode())
                    return
                if failing:
                    self.send_error(503)
                    return
                forwarded = urllib.request.Request(proxy.target + self.path, data=body,
                                                   headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(forwarded, timeout=30) as response:
                    self.answer(response.read())

        self.url = self.serve(Handler)


class CuttingProxy:
    """A TCP proxy on 127.0.0.1 in front of a server, that cuts connections like a dropped network.

    `cut_upload_after(n)`: cut the connection carrying the n-th byte sent to the server, counted from now;
    `cut_download_after(n)`: likewise for bytes coming back. `down`: close every new connection at once, like a
    server that is gone. `body_limit`: answer 413 to a request whose Content-Length is larger, as a proxy with a
    body limit does (nginx's client_max_body_size, Cloudflare's 100 MB), reading the body it refuses before closing.
    `requests`: the request head (request line and headers) of each connection, in order; `sent`: the bytes sent to
    the server; `cuts`: how many connections were cut; `refused`: how many requests were answered 413.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.down = False
        self.body_limit: Optional[int] = None
        self.refused = 0
        self.requests: List[str] = []
        self.sent = 0
        self.cuts = 0
        self._cut_up: Optional[int] = None
        self._cut_down: Optional[int] = None
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_upload_after(self, count: int) -> None:
        self._cut_up = count

    def cut_download_after(self, count: int) -> None:
        self._cut_down = count

    def requests_of(self, method: str, path_part: str) -> List[str]:
        """The request heads whose request line has `method` and contains `path_part`."""
        with self._lock:
            return [head for head in self.requests
                    if head.startswith(method + " ") and path_part in head.split("\r\n", 1)[0]]

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _too_big(self, head: str) -> bool:
        length = re.search(r"\r\ncontent-length: *(\d+)", head, re.IGNORECASE)
        return self.body_limit is not None and length is not None and int(length.group(1)) > self.body_limit

    @staticmethod
    def _refuse(client: socket.socket) -> None:
        """Answers 413 and reads what the client still sends until it stops, as nginx's lingering close does: a
        client that sends its whole body before it reads the answer then gets the answer."""
        client.sendall(b"HTTP/1.1 413 Payload Too Large\r\nContent-Type: text/html\r\nContent-Length: 32\r\n"
                       b"Connection: close\r\n\r\n<h1>413 Request too large</h1>\r\n")
        client.settimeout(5)
        try:
            while client.recv(1 << 20):
                pass
        except OSError:
            pass

    def _pump(self, source: socket.socket, target: socket.socket, upward: bool) -> None:
        first = True
        try:
            while True:
                data = source.recv(1 << 20)
                if not data:
                    break
                if upward and first:
                    first = False
                    head = data[:4096].decode("latin-1").split("\r\n\r\n", 1)[0]
                    with self._lock:
                        self.requests.append(head)
                        refuse = self._too_big(head)
                        self.refused += refuse
                    if refuse:
                        self._refuse(source)
                        break
                with self._lock:
                    left = self._cut_up if upward else self._cut_down
                    if left is not None and len(data) >= left:
                        data = data[:left]
                        cut = True
                    else:
                        cut = False
                    if left is not None:
                        left -= len(data)
                        if upward:
                            self._cut_up = None if cut else left
                        else:
                            self._cut_down = None if cut else left
                    if upward:
                        self.sent += len(data)
                    self.cuts += cut
                target.sendall(data)
                if cut:
                    break
        except OSError:
            pass
        for end in (source, target):  # one side closed or cut: the other goes too
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()


def series(api: Api, run_id: str, name: str, split: Optional[str] = None) -> Dict[str, Any]:
    """One series of a run, all its points raw (or an empty series when it does not exist)."""
    data = api.execute(
        "query($runIds: [ID!]!, $names: [String!], $splits: [String]) { series(runIds: $runIds, names: $names, "
        "splits: $splits, maxPoints: 10000) { totalPoints points { step value time } } }",
        runIds=[run_id], names=[name], splits=[split])
    return data["series"][0] if data["series"] else {"totalPoints": 0, "points": []}


def steps(api: Api, run_id: str, name: str, split: Optional[str] = None) -> List[int]:
    return [point["step"] for point in series(api, run_id, name, split)["points"]]


def run_info(api: Api, run_id: str) -> Dict[str, Any]:
    return api.execute("query($id: ID!) { run(id: $id) { id name status hyperparameters tags notes "
                       "failure { type message traceback } summaries { name split count last min max } } }",
                       id=run_id)["run"]


def runs_of_project(api: Api, project: str) -> List[Dict[str, Any]]:
    data = api.execute("query($project: String) { runs(project: $project) { edges { node { id name status } } } }",
                       project=project)
    return [edge["node"] for edge in data["runs"]["edges"]]


MEDIA_ITEM_FIELDS = ("runId name step index kind caption image { format width height bytes sha256 url overlays } "
                     "histogram { edges counts } table { columns { name type } rows } text { format content }")


def media_at(api: Api, run_id: str, name: str, step: int) -> List[Dict[str, Any]]:
    """The media items of `name` at exactly `step` of a run."""
    return api.execute(
        "query($runIds: [ID!]!, $name: String!, $step: Long!) { mediaAt(runIds: $runIds, name: $name, step: $step, "
        "exact: true, first: 64) { " + MEDIA_ITEM_FIELDS + " } }", runIds=[run_id], name=name, step=step)["mediaAt"]


def media_series(api: Api, run_id: str) -> List[Dict[str, Any]]:
    """A run's media series: name, kind, stepCount, firstStep, lastStep, steps."""
    return api.execute("query($id: ID!) { run(id: $id) { media { name kind stepCount firstStep lastStep steps } } }",
                       id=run_id)["run"]["media"]


def pixels(server_url: str, url: str) -> Any:
    """The pixels (a numpy array) of the image at a (signed) URL the server answered, fetched without a token."""
    import numpy
    from PIL import Image
    with urllib.request.urlopen(urllib.parse.urljoin(server_url + "/", url), timeout=30) as response:
        image = Image.open(io.BytesIO(response.read()))
        image.load()
    return numpy.asarray(image)


def wait_until(condition: Callable[[], Any], timeout: float = 10.0, interval: float = 0.1) -> Any:
    """Polls `condition` until it answers something true; answers that, or raises AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def run_python(args: Sequence[str], timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    """Runs a Python process that can import this checkout's trackstack package."""
    environment = dict(os.environ, PYTHONPATH=str(CLIENT_DIR), **env)
    return subprocess.run([sys.executable, *args], cwd=CLIENT_DIR, env=environment, capture_output=True,
                          text=True, timeout=timeout)


class JudgeStub(LocalServer):
    """A small OpenAI-compatible chat-completions server on 127.0.0.1 standing in for an external LLM judge.

    It scores the text after "Answer to grade:" against the text after "Reference answer:" (the default judge
    prompt's layout): {"score": 1, ...} when equal, else {"score": 0, ...}. Failures, by the words in the answer:
    "flaky" fails the first `flaky_failures` requests of that prompt with 503 (then 429), "broken" always fails with
    500. `requests` counts all requests; `authorizations` keeps their Authorization headers.
    """

    def __init__(self, flaky_failures: int = 2) -> None:
        self.flaky_failures = flaky_failures
        self.requests = 0
        self.authorizations: List[Optional[str]] = []
        self._failures: Dict[str, int] = {}
        self._lock = threading.Lock()
        stub = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                prompt = request["messages"][-1]["content"]
                answer = prompt.split("Answer to grade:", 1)[-1].split("Reply with", 1)[0].strip()
                reference = prompt.split("Reference answer:", 1)[-1].split("Answer to grade:", 1)[0].strip()
                with stub._lock:
                    stub.requests += 1
                    stub.authorizations.append(self.headers.get("Authorization"))
                    failures = stub._failures.get(prompt, 0)
                    failing = "flaky" in answer and failures < stub.flaky_failures
                    stub._failures[prompt] = failures + 1
                if "broken" in answer:
                    self.send_error(500)
                elif failing:
                    self.send_error(503 if failures == 0 else 429)
                else:
                    score = 1 if answer == reference else 0
                    content = json.dumps({"score": score, "explanation": f"{answer!r} vs {reference!r}"})
                    self.answer(json.dumps({"id": "stub", "object": "chat.completion", "model": request["model"],
                                            "choices": [{"index": 0, "finish_reason": "stop", "message": {
                                                "role": "assistant", "content": content}}]}).encode())

        self.url = self.serve(Handler) + "/v1"
