"""Artifacts end to end against the packaged server: a 1 GiB upload cut midway and resumed, a download cut midway
and resumed with Range, dedup, aliases, lineage, the local cache, and spooling by reference while the server is
away."""
import hashlib
import json
import mmap
import os
import re
import time
import unittest
from pathlib import Path
from unittest import mock

import trackstack
import trackstack.artifact
from support import CuttingProxy, Server, module_server, run_python, temporary_directory
from trackstack.artifact import ALIGN, O_DIRECT, PART_SIZE

server: Server

GIB = 1 << 30
MIB = 1 << 20


def setUpModule() -> None:
    global server
    server = module_server()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(MIB), b""):
            digest.update(block)
    return digest.hexdigest()


def version_info(project: str, name: str, version: int) -> dict:
    return server.api.execute(
        "query($project: String!, $name: String!, $version: Int) { artifactVersion(project: $project, name: $name, "
        "version: $version) { version aliases metadata producedBy { id } usedBy { id } } }",
        project=project, name=name, version=version)["artifactVersion"]


class ArtifactTest(unittest.TestCase):
    def setUp(self) -> None:
        self.spool_dir = temporary_directory(self)
        self.cache = temporary_directory(self)
        previous = os.environ.get("TRACKSTACK_CACHE_DIR")
        os.environ["TRACKSTACK_CACHE_DIR"] = str(self.cache)
        self.addCleanup(lambda: os.environ.update(TRACKSTACK_CACHE_DIR=previous) if previous is not None
                        else os.environ.pop("TRACKSTACK_CACHE_DIR", None))
        self.proxy = CuttingProxy(server.port)
        self.addCleanup(self.proxy.close)
        self.project = self.id().rsplit(".", 1)[-1][:60]

    def init(self, **options):
        run = trackstack.init(project=self.project, model="m", url=self.proxy.url, spool_dir=self.spool_dir,
                              flush_interval=0.2, **options)
        self.addCleanup(run.finish)
        return run

    def files(self, contents: dict) -> Path:
        root = temporary_directory(self)
        for path, content in contents.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(content)
        return root

    def test_one_gib_upload_and_download_both_cut_midway_resume_and_arrive_intact(self) -> None:
        root = temporary_directory(self)
        big = root / "weights.bin"
        with open(big, "wb") as file:  # mostly a hole, with a random MiB every 16 MiB: real hashing, quick to make
            file.truncate(GIB)
            for offset in range(0, GIB, 16 * MIB):
                file.seek(offset)
                file.write(os.urandom(MIB))
        (root / "config.json").write_text('{"layers": 2}')
        expected = sha256_file(big)
        run = self.init()

        started = time.monotonic()
        self.proxy.cut_upload_after(400 * MIB)
        logged = run.log_artifact(root, name="big", metadata={"epoch": 3})
        artifact = logged.wait(300)
        upload_seconds = time.monotonic() - started
        self.assertEqual(1, self.proxy.cuts)
        self.assertTrue(self.proxy.requests_of("HEAD", "/api/v1/uploads/"), "the offset was asked after the cut")
        # Resumed, not restarted: at most the cut part went twice.
        self.assertLess(self.proxy.sent, GIB + PART_SIZE + 4 * MIB)
        self.assertEqual((1, True), (artifact.version, artifact.created))
        self.assertEqual(["config.json", "weights.bin"], sorted(file.path for file in artifact.files))
        self.assertEqual({"epoch": 3}, version_info(self.project, "big", 1)["metadata"])

        patches = len(self.proxy.requests_of("PATCH", "/api/v1/uploads/"))
        again = run.log_artifact(root, name="big").wait(120)
        self.assertEqual((1, False), (again.version, again.created), "the same files make no new version")
        self.assertEqual(patches, len(self.proxy.requests_of("PATCH", "/api/v1/uploads/")), "nothing uploaded")

        started = time.monotonic()
        self.proxy.cut_download_after(300 * MIB)
        downloaded = trackstack.get_artifact(f"{self.project}/big:latest", url=self.proxy.url).download()
        download_seconds = time.monotonic() - started
        self.assertEqual(2, self.proxy.cuts)
        ranged = [head for head in self.proxy.requests_of("GET", "/blobs/") if "\r\nrange: bytes=" in head.lower()]
        self.assertEqual(1, len(ranged), "the cut download went on with a Range request")
        self.assertEqual(expected, sha256_file(downloaded / "weights.bin"))
        self.assertEqual('{"layers": 2}', (downloaded / "config.json").read_text())
        print(f"\n1 GiB: upload with one cut {upload_seconds:.1f} s, download with one cut {download_seconds:.1f} s",
              flush=True)

    def test_parts_a_proxy_refuses_as_too_big_are_halved_until_it_takes_them(self) -> None:
        content = os.urandom(10 * MIB)
        self.proxy.body_limit = 3 * MIB
        with mock.patch.object(trackstack.artifact, "MIN_PART_SIZE", MIB):
            artifact = self.init().log_artifact(self.files({"data.bin": content}), name="limited").wait(60)
        self.assertEqual((1, True), (artifact.version, artifact.created))
        lengths = [int(re.search(r"\r\ncontent-length: (\d+)", head, re.IGNORECASE).group(1))
                   for head in self.proxy.requests_of("PATCH", "/api/v1/uploads/")]
        self.assertEqual([10 * MIB, 5 * MIB] + [5 * MIB // 2] * 4, lengths)
        self.assertEqual(2, self.proxy.refused)
        self.assertEqual(content, artifact.file("data.bin").read_bytes())

    def test_use_artifact_records_lineage_and_a_second_use_downloads_nothing(self) -> None:
        root = self.files({"model.pt": os.urandom(3000), "tokenizer/vocab.json": b'{"a": 1}', "empty.txt": b""})
        producer = self.init()
        logged = producer.log_artifact(root, name="resnet", aliases=["best"]).wait(60)

        consumer = self.init()
        used = consumer.use_artifact("resnet:best")
        self.assertEqual((logged.version, "model", ["best", "latest"]), (used.version, used.type, sorted(used.aliases)))
        self.assertEqual((root / "model.pt").read_bytes(), used.file("model.pt").read_bytes())
        folder = used.download()
        self.assertEqual(b'{"a": 1}', (folder / "tokenizer" / "vocab.json").read_bytes())
        self.assertEqual(b"", (folder / "empty.txt").read_bytes())
        info = version_info(self.project, "resnet", used.version)
        self.assertEqual(producer.id, info["producedBy"]["id"])
        self.assertEqual([consumer.id], [run["id"] for run in info["usedBy"]])

        gets = len(self.proxy.requests_of("GET", "/blobs/"))
        self.assertEqual(2, gets, "one per file but the empty one, which needs no request")
        second = self.init().use_artifact("resnet:v1")
        self.assertEqual(gets, len(self.proxy.requests_of("GET", "/blobs/")), "a cache hit sends no GET")
        self.assertEqual((root / "model.pt").read_bytes(), second.file("model.pt").read_bytes())
        self.assertEqual(2, len(version_info(self.project, "resnet", 1)["usedBy"]))

    def test_aliases_move_to_the_version_logged_with_them(self) -> None:
        run = self.init()
        first = run.log_artifact(self.files({"a.txt": b"one"}), name="data", type="dataset",
                                 aliases=["best", "production"]).wait(60)
        second = run.log_artifact(self.files({"a.txt": b"two"}), name="data", type="dataset",
                                  aliases=["best"]).wait(60)
        self.assertEqual((1, 2), (first.version, second.version))
        self.assertEqual(["production"], version_info(self.project, "data", 1)["aliases"])
        self.assertEqual(["best", "latest"], sorted(version_info(self.project, "data", 2)["aliases"]))
        best = trackstack.get_artifact("data:best", project=self.project, url=self.proxy.url)
        self.assertEqual((2, "dataset"), (best.version, best.type))
        self.assertEqual(b"two", best.file("a.txt").read_bytes())
        chosen = temporary_directory(self) / "data"
        self.assertEqual((chosen, b"two"), (best.download(chosen), (chosen / "a.txt").read_bytes()))
        self.assertEqual(b"one", trackstack.get_artifact("data:production", project=self.project,
                                                         url=self.proxy.url).file("a.txt").read_bytes())
        with self.assertRaises(trackstack.RequestRejected) as missing:
            trackstack.get_artifact("data:nope", project=self.project, url=self.proxy.url)
        self.assertEqual("NOT_FOUND", missing.exception.code)

    def test_a_corrupt_cache_file_is_downloaded_again(self) -> None:
        content = os.urandom(5000)
        self.init().log_artifact(self.files({"model.pt": content}), name="m1").wait(60)
        path = trackstack.get_artifact("m1", project=self.project, url=self.proxy.url).file("model.pt")
        self.assertEqual(content, path.read_bytes())
        with open(path, "r+b") as file:  # a hard link into the cache: the cached blob is damaged too
            file.write(b"garbage")
        with self.assertLogs("trackstack", "WARNING") as logs:
            again = trackstack.get_artifact("m1", project=self.project, url=self.proxy.url).file("model.pt")
        self.assertIn("does not match its SHA-256", "\n".join(logs.output))
        self.assertEqual(content, again.read_bytes())
        self.assertEqual(2, len(self.proxy.requests_of("GET", "/blobs/")))

    def test_a_partial_download_of_any_length_goes_on_from_a_block_boundary(self) -> None:
        content = os.urandom(3 * MIB + 5)
        self.init().log_artifact(self.files({"model.pt": content}), name="odd").wait(60)
        artifact = trackstack.get_artifact("odd", project=self.project, url=self.proxy.url)
        partial = self.partial_of(artifact.files[0].sha256)
        partial.write_bytes(content[:1_000_001])  # as a download cut by an older client, or in the page cache, leaves it
        with mock.patch.object(trackstack.artifact, "DIRECT_MIN", 0):  # this small blob written with O_DIRECT too
            path = artifact.file("model.pt")
        self.assertEqual(content, path.read_bytes())
        ranged = [head.lower() for head in self.proxy.requests_of("GET", "/blobs/") if "\r\nrange: " in head.lower()]
        self.assertEqual(1, len(ranged))
        self.assertIn(f"\r\nrange: bytes={1_000_001 // ALIGN * ALIGN}-\r\n", ranged[0], "kept up to a block boundary")
        self.assertFalse(partial.exists())

    def test_a_partial_download_with_wrong_bytes_is_removed_and_the_next_use_downloads_it_whole(self) -> None:
        content = os.urandom(MIB)
        self.init().log_artifact(self.files({"model.pt": content}), name="bad").wait(60)
        artifact = trackstack.get_artifact("bad", project=self.project, url=self.proxy.url)
        partial = self.partial_of(artifact.files[0].sha256)
        partial.write_bytes(b"x" * 2 * ALIGN)
        with self.assertRaises(trackstack.TrackstackError) as mismatch:
            artifact.file("model.pt")
        self.assertEqual("CHECKSUM_MISMATCH", mismatch.exception.code)
        self.assertFalse(partial.exists())
        self.assertEqual(content, artifact.file("model.pt").read_bytes())

    def partial_of(self, sha256: str) -> Path:
        partial = self.cache / "blobs" / sha256[:2] / (sha256 + ".partial")
        partial.parent.mkdir(parents=True, exist_ok=True)
        return partial

    def test_spooled_by_reference_while_the_server_is_away_then_delivered(self) -> None:
        content = os.urandom(2 * MIB)
        root = self.files({"model.pt": content})
        run = self.init(retry_budget=1, max_backoff=0.5)
        self.proxy.down = True
        with self.assertLogs("trackstack", "WARNING") as logs:
            logged = run.log_artifact(root, name="offline", aliases=["best"])
            self.assertIsNone(logged.wait(60))
        self.assertTrue(logged.spooled)
        self.assertIn("by reference", "\n".join(logs.output))
        spooled = [json.loads(line) for spool in self.spool_dir.glob("*.jsonl")
                   for line in spool.read_text().splitlines()]
        entry = next(line for line in spooled if line.get("kind") == "artifact")
        self.assertEqual([("model.pt", str((root / "model.pt").resolve()))],
                         [(file["path"], file["source"]) for file in entry["files"]])
        self.assertLess(sum(spool.stat().st_size for spool in self.spool_dir.glob("*.jsonl")), 10_000, "no bytes")

        self.proxy.down = False
        run.finish()
        self.assertEqual([], list(self.spool_dir.glob("*.jsonl")))
        info = version_info(self.project, "offline", 1)
        self.assertEqual((run.id, ["best", "latest"]), (info["producedBy"]["id"], sorted(info["aliases"])))
        self.assertEqual(content, trackstack.get_artifact("offline:best", project=self.project,
                                                          url=self.proxy.url).file("model.pt").read_bytes())

    def test_an_artifact_a_process_left_in_the_spool_is_delivered_by_sync(self) -> None:
        content = os.urandom(MIB)
        root = self.files({"data.bin": content})
        self.proxy.down = True  # from the start: the run too waits in the spool
        script = ("import sys, trackstack\n"
                  "run = trackstack.init(project=sys.argv[1], model='m', url=sys.argv[2], spool_dir=sys.argv[3],"
                  " retry_budget=0.5)\n"
                  "print(run.log_artifact(sys.argv[4], name='left', type='dataset').wait(60))\n")
        ended = run_python(["-c", script, self.project, self.proxy.url, str(self.spool_dir), str(root)])
        self.assertEqual(0, ended.returncode, ended.stderr)
        self.assertEqual("None", ended.stdout.strip())
        self.proxy.down = False
        synced = run_python(["-m", "trackstack", "sync", "--spool-dir", str(self.spool_dir)])
        self.assertEqual(0, synced.returncode, synced.stderr)
        self.assertEqual([], list(self.spool_dir.glob("*.jsonl")))
        artifact = trackstack.get_artifact("left", project=self.project, url=self.proxy.url)
        self.assertEqual(("dataset", 1), (artifact.type, artifact.version))
        self.assertEqual(content, artifact.file("data.bin").read_bytes())

    def test_a_file_changed_while_spooled_is_not_logged_and_says_so(self) -> None:
        root = self.files({"model.pt": b"as logged"})
        run = self.init(retry_budget=1, max_backoff=0.5)
        self.proxy.down = True
        with self.assertLogs("trackstack", "WARNING"):
            self.assertIsNone(run.log_artifact(root, name="changed").wait(60))
        (root / "model.pt").write_bytes(b"overwritten by the next epoch")
        self.proxy.down = False
        with self.assertLogs("trackstack", "WARNING") as logs:
            run.finish()
        self.assertIn(f"{(root / 'model.pt').resolve()} changed after log_artifact", "\n".join(logs.output))
        self.assertEqual([], list(self.spool_dir.glob("*.jsonl")))
        with self.assertRaises(trackstack.RequestRejected):
            trackstack.get_artifact("changed", project=self.project, url=self.proxy.url)


@unittest.skipUnless(O_DIRECT, "O_DIRECT: Linux only")
class DirectWriteTest(unittest.TestCase):
    def test_a_write_the_file_system_refuses_with_o_direct_goes_through_the_page_cache(self) -> None:
        path = temporary_directory(self) / "blob"
        buffer = mmap.mmap(-1, 2 * ALIGN)  # page-aligned
        buffer.write(os.urandom(2 * ALIGN))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT)
        try:
            with memoryview(buffer) as view:
                self.assertTrue(trackstack.artifact._write(fd, view[:ALIGN], True), "aligned: written with O_DIRECT")
                self.assertFalse(trackstack.artifact._write(fd, view[1:ALIGN + 1], True), "unaligned: EINVAL, then "
                                                                                        "through the page cache")
                self.assertFalse(trackstack.artifact._write(fd, view[:ALIGN], False), "not asked")
        finally:
            os.close(fd)
        self.assertEqual(buffer[:ALIGN] + buffer[1:ALIGN + 1] + buffer[:ALIGN], path.read_bytes())


if __name__ == "__main__":
    unittest.main()
