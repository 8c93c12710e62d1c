"""Runs the code blocks of the READMEs as a newcomer would, and fails when one fails.

Every fenced `bash` and `python` block of README.md and clients/python/README.md runs, in order, from the
repository's root, exactly as written: bash blocks with `bash -euo pipefail`, python blocks with the python of
a virtual environment (bash blocks find its `pip` and `python` first on the PATH, as in an activated one).
A block fails when it exits non-zero, or prints a GraphQL error (curl exits 0 on those).

The block marked `<!-- readme-test: server -->` is the run command: it starts the server that the other
blocks talk to, as an ordinary user with an empty home directory (only the Maven and npm caches linked in)
and no data directory given. It must answer within 60 s of `java` starting and keep its data in
~/.trackstack/data; after the last block the server is started again and must still have the data.
The README's examples talk to localhost:8080, so the server runs there: the port must be free.

A block marked `<!-- readme-test: skip (REASON) -->` is skipped, and the reason printed.

    python3 docs/readme_test.py          (from the repository's root, after `./mvnw -DskipTests package`)
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READMES = ["README.md", "clients/python/README.md"]
URL = "http://localhost:8080"
START_BOUND = 60  # seconds from `java` starting to the first answer (issue 18)
BLOCK_TIMEOUT = 300
WORK = ROOT / "docs" / "target" / "readme-test"
MARKER = re.compile(r"<!--\s*readme-test:\s*(.*?)\s*-->")
SKIP = re.compile(r"skip \((.+)\)")
FENCE = re.compile(r"^```(\w*)\s*$")


class Block:
    def __init__(self, path: str, line: int, language: str, code: str, marker: str):
        self.path, self.line, self.language, self.code, self.marker = path, line, language, code, marker

    @property
    def name(self) -> str:
        return f"{self.path}:{self.line} ({self.code.strip().splitlines()[0][:70]})"

    @property
    def skip_reason(self):
        match = SKIP.fullmatch(self.marker or "")
        return match and match.group(1)


def blocks_of(path: str) -> list:
    """The fenced bash and python blocks of a markdown file, with the readme-test marker just before each."""
    blocks, marker, fence, code = [], None, None, []
    for number, line in enumerate((ROOT / path).read_text().splitlines(), 1):
        if fence is not None:
            if line.startswith("```"):
                if fence[0] in ("bash", "python"):
                    blocks.append(Block(path, fence[1], fence[0], "\n".join(code) + "\n", fence[2]))
                elif fence[2]:
                    fail(f"{path}:{fence[1]}: readme-test marker on a {fence[0] or 'plain'} block, which never runs")
                fence, code = None, []
            else:
                code.append(line)
            continue
        match = FENCE.match(line)
        if match:
            fence, marker = (match.group(1), number, marker), None
        elif MARKER.fullmatch(line.strip()):
            marker = MARKER.fullmatch(line.strip()).group(1)
        elif line.strip() and marker is not None:
            fail(f"{path}:{number}: a readme-test marker must stand just before a code block")
    return blocks


def fail(message: str) -> None:
    print(f"FAIL: {message}", flush=True)
    raise SystemExit(1)


def port_free() -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", 8080))
            return True
        except OSError:
            return False


def answers() -> bool:
    try:
        with urllib.request.urlopen(URL + "/actuator/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def graphql(query: str) -> dict:
    request = urllib.request.Request(URL + "/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.load(response)
    if "errors" in body:
        fail(f"{query}: {body['errors']}")
    return body["data"]


def server_java(group: int):
    """The pid of the `java -jar …trackstack.jar` process in a process group, if it runs."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) != group:
                continue
            command = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
        if b"-jar" in command and any(part.endswith(b"trackstack.jar") for part in command):
            return int(stat.parent.name)
    return None


class Server:
    """A block that starts the server, in its own process group, its output in a log file."""

    def __init__(self, code: str, environment: dict, log: Path):
        self.log = log
        self.process = subprocess.Popen(["bash", "-euo", "pipefail", "-c", code], cwd=ROOT, env=environment,
                                        stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)

    def wait_until_answering(self, build_bound: float) -> float:
        """Seconds from `java` starting to the first answer; fails past the bounds or when the block ends."""
        started = time.monotonic()
        deadline, java_started = started + build_bound, None
        while True:
            if self.process.poll() is not None:
                fail(f"the run command ended (exit {self.process.returncode}) before the server answered:\n"
                     + self.tail())
            if java_started is None and server_java(self.process.pid):
                java_started = time.monotonic()
                deadline = java_started + START_BOUND
                print(f"     java started {java_started - started:.1f} s after the command", flush=True)
            if answers():
                if java_started is None:
                    fail("something else answers on localhost:8080")
                return time.monotonic() - java_started
            if time.monotonic() > deadline:
                what = f"within {START_BOUND} s of java starting" if java_started else f"java within {build_bound} s"
                fail(f"no answer from {URL} {what}:\n" + self.tail())
            time.sleep(0.25)

    def stop(self) -> None:
        """SIGTERM, as Ctrl-C would; the server then stops its embedded PostgreSQL."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
                fail("the server did not stop within 60 s of SIGTERM")

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])


def run_block(block: Block, environment: dict, python: Path) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".py" if block.language == "python" else ".sh", dir=WORK,
                                     delete=False) as script:
        script.write(block.code)
    command = [str(python), script.name] if block.language == "python" else ["bash", "-euo", "pipefail", script.name]
    started = time.monotonic()
    try:
        result = subprocess.run(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, timeout=BLOCK_TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        fail(f"{block.name} did not end within {BLOCK_TIMEOUT} s")
    finally:
        os.unlink(script.name)
    output = result.stdout
    if result.returncode != 0 or '"errors":' in output:
        fail(f"{block.name} " + (f"exited {result.returncode}" if result.returncode else "printed a GraphQL error")
             + ":\n" + output[-4000:])
    print(f"ok   {block.name} in {time.monotonic() - started:.1f} s", flush=True)


def fresh_home() -> Path:
    """An empty home directory but for the user's Maven and npm caches, so that the build needs no download."""
    home = WORK / "home"
    home.mkdir()
    for cache in (".m2", ".npm"):
        if (Path.home() / cache).exists():
            (home / cache).symlink_to(Path.home() / cache)
    return home


def main() -> None:
    started = time.monotonic()
    blocks = [block for path in READMES for block in blocks_of(path)]
    servers = [block for block in blocks if block.marker == "server"]
    unknown = [block for block in blocks if block.marker not in (None, "server") and not block.skip_reason]
    if len(servers) != 1 or unknown:
        fail("expected one block marked `readme-test: server` and only `skip (REASON)` markers besides, found "
             + ", ".join(f"{block.name}: {block.marker}" for block in servers + unknown))
    if not port_free():
        fail("port 8080 is in use: the README's examples talk to localhost:8080, so this test runs the server there."
             " Stop what listens on 8080 and run it again.")

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    home = fresh_home()
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("TRACKSTACK_", "SERVER_", "SPRING_", "MAVEN_", "JAVA_TOOL_"))}
    python_env = WORK / "venv"
    venv.EnvBuilder(with_pip=True).create(python_env)
    environment.update(HOME=str(home), VIRTUAL_ENV=str(python_env),
                       PATH=f"{python_env / 'bin'}{os.pathsep}{environment['PATH']}")
    python = python_env / "bin" / "python"

    run_command = servers[0]
    print(f"run  {run_command.name}", flush=True)
    server = Server(run_command.code, environment, WORK / "server.log")
    try:
        seconds = server.wait_until_answering(build_bound=600)
        print(f"ok   the server answered {seconds:.1f} s after java started", flush=True)
        data = home / ".trackstack" / "data"
        if not data.is_dir() or not any(data.iterdir()):
            fail(f"the server does not keep its data in ~/.trackstack/data ({data})")
        for block in blocks:
            if block is run_command:
                continue
            if block.skip_reason:
                print(f"skip {block.name}: {block.skip_reason}", flush=True)
                continue
            run_block(block, environment, python)
        before = graphql("{ projects { name models { name runs(first: 500) { totalCount } } } }")
        if not before["projects"]:
            fail("the blocks left no project behind to check the restart with")
        server.stop()

        # A restart: the run command's last part (`java -jar …`) again, with the same home; the data is still there.
        server = Server(run_command.code.split("&&")[-1].strip(), environment, WORK / "server-restart.log")
        seconds = server.wait_until_answering(build_bound=10)
        after = graphql("{ projects { name models { name runs(first: 500) { totalCount } } } }")
        if after != before:
            fail(f"after a restart the server has {after}, before it had {before}")
        print(f"ok   restarted in {seconds:.1f} s with the data kept: {before}", flush=True)
    finally:
        server.stop()
    skipped = sum(1 for block in blocks if block.skip_reason)
    print(f"README blocks took {time.monotonic() - started:.0f} s", flush=True)
    print(f"readme: {len(blocks) - skipped} passed, 0 failed, {skipped} skipped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
