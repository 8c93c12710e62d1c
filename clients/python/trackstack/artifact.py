"""Artifacts: files and directories logged as versions, content-addressed (docs/api.md, "Artifacts").

Logging hashes the files (SHA-256, streamed), sends the manifest, uploads only the blobs the server lacks, in
parts and resumable (a cut connection: ask the upload's offset and go on from there), then sends the manifest
again to commit the version. A run does this on a thread of its own (`Run.log_artifact` answers at once);
when the server stays away longer than the run's retry budget, the version waits in the run's spool by reference:
the paths, sizes, mtimes and hashes, not a copy of the bytes, and is sent when the spool is replayed, unless a
file changed meanwhile.

Using downloads each blob once into a cache by its SHA-256 ($TRACKSTACK_CACHE_DIR, else
~/.cache/trackstack/artifacts), verified, resuming a partial download with a Range request; the files of a
version are hard links into that cache (copies where links are impossible): treat them as read-only.
"""
from __future__ import annotations

import errno
import hashlib
import http.client
import json
import logging
import mmap
import os
import queue
import re
import shutil
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any, BinaryIO, Callable, Dict, List, Optional, Sequence, Tuple, Union
from urllib.parse import quote

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from .api import Api, FileRegion, RequestRejected, ServerUnavailable, TrackstackError, with_retry

log = logging.getLogger("trackstack")

READ_SIZE = 1 << 20
TRANSFER_BUFFER = 8 << 20  # bytes per read of a download
TRANSFER_BUFFERS = 4  # a download's buffers: one being read into, one hashed, one written, one to spare
DIRECT_MIN = 64 << 20  # a blob at least this large is written around the page cache (O_DIRECT), where allowed
ALIGN = 4096  # O_DIRECT's unit for file offsets, lengths and memory addresses
O_DIRECT = getattr(os, "O_DIRECT", 0) if fcntl is not None else 0  # Linux's
# Bytes per PATCH. The server keeps what came of a cut part; each part costs about 10 ms at the server, so parts are
# big, halved down to MIN_PART_SIZE while a proxy in front of the server refuses the body (413; Cloudflare's takes
# up to 100 MB).
PART_SIZE = 256 << 20
MIN_PART_SIZE = 16 << 20
UPLOAD_ATTEMPTS = 3  # manifest rounds: a blob may be collected between its upload and the commit, then it goes again
VERSION_SPEC = re.compile(r"v(\d+)")

_hashes: Dict[Tuple[str, int, int, int], str] = {}  # (path, inode, size, mtime_ns) → SHA-256: files hashed before
_hashes_lock = threading.Lock()


class FileChanged(RequestRejected):
    """A file of a spooled artifact is gone or changed after log_artifact: the version logged no longer exists."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "BAD_USER_INPUT")


def cache_dir() -> Path:
    """$TRACKSTACK_CACHE_DIR, else ~/.cache/trackstack/artifacts."""
    return Path(os.environ.get("TRACKSTACK_CACHE_DIR") or Path.home() / ".cache" / "trackstack" / "artifacts")


def sha256_of(path: Union[str, Path]) -> str:
    """The file's SHA-256 in lower-case hex, read in 1 MiB parts; remembered while its size and mtime stay."""
    stat = os.stat(path)
    key = (os.path.abspath(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    with _hashes_lock:
        known = _hashes.get(key)
    if known is not None:
        return known
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        _hash_into(digest, file)
    with _hashes_lock:
        _hashes[key] = digest.hexdigest()
    return digest.hexdigest()


def _hash_into(digest: Any, file: BinaryIO) -> None:
    buffer = bytearray(READ_SIZE)
    view = memoryview(buffer)
    while True:
        count = file.readinto(buffer)
        if not count:
            return
        digest.update(view[:count])


def manifest(path_or_dir: Union[str, Path]) -> List[Dict[str, Any]]:
    """The files to log, hashed: a file as its name, a directory's files (symbolic links followed) by their path
    inside it with "/" between folders. Each is {"path", "size", "sha256", "source", "mtimeNs"}."""
    root = Path(path_or_dir).expanduser().resolve()
    if root.is_file():
        sources = [(root.name, root)]
    elif root.is_dir():
        sources = sorted((file.relative_to(root).as_posix(), file)
                         for file in root.rglob("*") if file.is_file())
    else:
        raise FileNotFoundError(f"no file or directory {path_or_dir}")
    files = []
    for relative, source in sources:
        stat = source.stat()
        files.append({"path": relative, "size": stat.st_size, "sha256": sha256_of(source), "source": str(source),
                      "mtimeNs": stat.st_mtime_ns})
    return files


def artifact_entry(path_or_dir: Union[str, Path], project: str, name: Optional[str], type: str,
                   aliases: Optional[Sequence[str]], metadata: Optional[Dict[str, Any]],
                   description: Optional[str]) -> Dict[str, Any]:
    """A spool entry for logging `path_or_dir`, files hashed: what the run sends now, or keeps to send later."""
    root = Path(path_or_dir).expanduser()
    request = {"project": project, "name": name or default_name(root), "type": type,
               "aliases": list(aliases or []), "metadata": dict(metadata or {})}
    if description is not None:
        request["description"] = description
    return {"kind": "artifact", "request": request, "files": manifest(root)}


def committed(api: Api, entry: Dict[str, Any], version: Dict[str, Any]) -> "Artifact":
    """The Artifact that delivering `entry` committed as `version`: its files are the entry's."""
    files = [{"path": file["path"], "size": file["size"], "sha256": file["sha256"]} for file in entry["files"]]
    return Artifact(api, dict(version, fileList=files))


def default_name(path_or_dir: Union[str, Path]) -> str:
    """The artifact name of a file or directory logged without one: its name, in the characters names allow."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", Path(path_or_dir).expanduser().resolve().name)[:128] or "artifact"


def deliver(api: Api, run_id: Optional[str], entry: Dict[str, Any], retry_budget: float,
            give_up: Optional[threading.Event] = None) -> Dict[str, Any]:
    """Logs the version a spool entry describes: manifest, missing blobs, commit. Answers the version. Raises
    ServerUnavailable when the server stays away for `retry_budget` seconds at one step, FileChanged when a file
    differs from the manifest, RequestRejected when the server refuses the version."""
    files = entry["files"]
    request = dict(entry["request"], runId=run_id,
                   files=[{"path": file["path"], "size": file["size"], "sha256": file["sha256"]} for file in files])
    sources = {file["sha256"]: file for file in files}
    for _ in range(UPLOAD_ATTEMPTS):
        answer = with_retry(lambda: api.log_artifact(request), retry_budget, give_up)
        if not answer["missingBlobs"]:
            return dict(answer["version"], created=answer["created"])
        for sha256 in answer["missingBlobs"]:
            _check_unchanged(entry, sources[sha256])
            upload(api, request["project"], sources[sha256], retry_budget, give_up)
    raise ServerUnavailable(f"artifact {request['name']}: the server still lacks blobs after {UPLOAD_ATTEMPTS} uploads")


def _check_unchanged(entry: Dict[str, Any], file: Dict[str, Any]) -> None:
    """Raises FileChanged unless `file` still holds the bytes hashed: same size and mtime, or else same SHA-256."""
    source = file["source"]
    name = entry["request"]["name"]
    try:
        stat = os.stat(source)
        if stat.st_size == file["size"] and stat.st_mtime_ns == file["mtimeNs"]:
            return
        if stat.st_size == file["size"] and sha256_of(source) == file["sha256"]:
            return  # touched, not changed
    except FileNotFoundError:
        raise FileChanged(f"artifact {name!r}: {source} was removed after log_artifact; the version is not "
                          f"logged") from None
    raise FileChanged(f"artifact {name!r}: {source} changed after log_artifact (SHA-256 {file['sha256'][:12]}… "
                      f"was logged); the version is not logged: log the file again")


def upload(api: Api, project: str, file: Dict[str, Any], retry_budget: float,
           give_up: Optional[threading.Event] = None) -> None:
    """Uploads one blob from its source file in parts of PART_SIZE (smaller after a 413), resuming where the server's
    copy ends: after a cut connection the upload's offset is asked (HEAD) and the file read on from there. An upload
    the server gave up meanwhile (NOT_FOUND) is started again, once."""
    path = f"/api/v1/projects/{quote(project, safe='')}/uploads"
    body = json.dumps({"sha256": file["sha256"], "size": file["size"]}).encode()

    def start() -> Dict[str, Any]:
        with api.transfer("POST", path, body, {"Content-Type": "application/json"}) as response:
            return _json(response)

    for attempt in range(2):
        started = with_retry(start, retry_budget, give_up)  # a new upload, or the unfinished one and its offset
        if started.get("complete"):
            return
        try:
            _send_parts(api, started["id"], int(started["offset"]), file, retry_budget, give_up)
            return
        except RequestRejected as error:
            if error.code == "CHECKSUM_MISMATCH":
                raise FileChanged(f"{file['source']} changed while it was uploaded: its bytes do not match the "
                                  f"SHA-256 hashed before ({error})") from None
            if error.code not in ("NOT_FOUND", "404") or attempt:
                raise
            log.info("Trackstack: the server gave up the upload of %s; starting it again", file["source"])


def _send_parts(api: Api, upload_id: str, offset: int, file: Dict[str, Any], retry_budget: float,
                give_up: Optional[threading.Event]) -> None:
    """PATCHes the file from `offset` on until the server has it all; at least once, so that an upload whose bytes
    all arrived (an empty file, or an answer lost) is completed too."""
    cut = False
    part_size = length = PART_SIZE

    def send_part() -> int:
        nonlocal cut, length
        position = offset
        if cut:  # the server keeps what arrived of a cut part: go on from there
            position = _upload_offset(api, upload_id)
            cut = False
        length = min(part_size, file["size"] - position)
        with open(file["source"], "rb") as source:
            try:
                with api.transfer("PATCH", f"/api/v1/uploads/{upload_id}", FileRegion(source, position, length),
                                  {"Upload-Offset": str(position),
                                   "Content-Type": "application/offset+octet-stream"}, accept=(409,)) as response:
                    response.read()
                    # 409: our offset is not the server's (a part arrived whose answer we lost): take the server's.
                    return _offset_of(response)
            except ServerUnavailable:
                cut = True
                raise

    while True:
        try:
            offset = with_retry(send_part, retry_budget, give_up)
        except RequestRejected as error:
            if error.code != "413" or length <= MIN_PART_SIZE:
                raise
            part_size = max(length // 2, MIN_PART_SIZE)
            log.info("Trackstack: a request body of %d bytes was refused (%s); sending parts of %d bytes", length,
                     error, part_size)
            continue
        log.debug("Trackstack uploaded %s up to %d of %d bytes", file["source"], offset, file["size"])
        if offset >= file["size"]:
            return


def _upload_offset(api: Api, upload_id: str) -> int:
    with api.transfer("HEAD", f"/api/v1/uploads/{upload_id}") as response:
        return _offset_of(response)


def _offset_of(response: Any) -> int:
    offset = response.headers.get("Upload-Offset")
    if offset is None or not offset.isdigit():
        raise ServerUnavailable(f"the server answered {response.status} without an Upload-Offset header")
    return int(offset)


def _json(response: Any) -> Dict[str, Any]:
    return json.loads(response.read() or b"{}")


class ArtifactUpload:
    """What `Run.log_artifact` answers at once: the version being logged in the background.

    `wait()` (or `result()`) answers the `Artifact` once committed; None when the server was away and the version
    waits in the spool (`spooled` is then True). It raises what made the server refuse the version."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.spooled = False
        self._future: "Future[Optional[Artifact]]" = Future()

    def wait(self, timeout: Optional[float] = None) -> Optional["Artifact"]:
        return self._future.result(timeout)

    result = wait

    def done(self) -> bool:
        return self._future.done()

    def __repr__(self) -> str:
        state = "spooled" if self.spooled else "done" if self.done() else "pending"
        return f"<ArtifactUpload {self.name} {state}>"


class ArtifactFile:
    """A file of an artifact version."""

    def __init__(self, path: str, size: int, sha256: str) -> None:
        self.path = path
        self.size = size
        self.sha256 = sha256

    def __repr__(self) -> str:
        return f"<ArtifactFile {self.path} {self.size} bytes>"


class Artifact:
    """A version of an artifact: `name`, `version`, `type`, `aliases`, `metadata`, `digest`, `size` and `files`
    (path, size, sha256). `download()` puts its files in a directory, `file(path)` one of them."""

    def __init__(self, api: Api, data: Dict[str, Any]) -> None:
        self._api = api
        self.project: str = data["artifact"]["project"]
        self.name: str = data["artifact"]["name"]
        self.type: str = data["artifact"]["type"]
        self.version: int = int(data["version"])
        self.digest: str = data["digest"]
        self.size: int = int(data["size"])
        self.aliases: List[str] = list(data["aliases"])
        self.metadata: Dict[str, Any] = data["metadata"] or {}
        self.created: Optional[bool] = data.get("created")
        self.files: List[ArtifactFile] = [ArtifactFile(file["path"], int(file["size"]), file["sha256"])
                                          for file in data.get("fileList") or []]

    def download(self, root: Optional[Union[str, Path]] = None) -> Path:
        """Puts every file under `root` (default: a folder of the cache for this version) and answers `root`.
        Blobs already in the cache are not downloaded again."""
        directory = self._root(root)
        for file in self.files:
            self._place(file, directory)
        return directory

    def file(self, path: str) -> Path:
        """The local path of one file (downloaded if needed) in the cache folder of this version."""
        for file in self.files:
            if file.path == path:
                return self._place(file, self._root(None))
        raise KeyError(f"{self.name}:v{self.version} has no file {path!r}; it has "
                       f"{', '.join(file.path for file in self.files[:10])}")

    def _root(self, root: Optional[Union[str, Path]]) -> Path:
        return Path(root) if root is not None else cache_dir() / "versions" / self.digest

    def _place(self, file: ArtifactFile, directory: Path) -> Path:
        blob = fetch_blob(self._api, self.project, file.sha256, file.size)
        target = directory.joinpath(*file.path.split("/"))
        if target.exists() and os.path.samefile(target, blob):
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".trackstack-tmp")
        temporary.unlink(missing_ok=True)
        try:
            os.link(blob, temporary)
        except OSError:  # another file system, or one without hard links
            shutil.copyfile(blob, temporary)
        os.replace(temporary, target)
        return target

    def __repr__(self) -> str:
        return f"<Artifact {self.project}/{self.name}:v{self.version} {self.type} {len(self.files)} files>"


def fetch_blob(api: Api, project: str, sha256: str, size: int, retry_budget: float = 60.0) -> Path:
    """The cache's copy of a blob, downloaded unless the cache has it. A cached blob counts as verified while its
    size and mtime are those it had when its SHA-256 was checked; otherwise it is hashed again, and downloaded
    again when it no longer matches. A partial download is continued with a Range request."""
    blob = cache_dir() / "blobs" / sha256[:2] / sha256
    stamp = blob.with_name(sha256 + ".verified")
    if _verified(blob, stamp, sha256, size):
        return blob
    blob.parent.mkdir(parents=True, exist_ok=True)
    partial = blob.with_name(sha256 + ".partial")
    path = f"/api/v1/projects/{quote(project, safe='')}/blobs/{sha256}"
    actual = with_retry(lambda: _download(api, path, partial, size), retry_budget)
    if actual != sha256:
        partial.unlink()
        raise TrackstackError(f"blob {sha256} downloaded from {api.url} has SHA-256 {actual}; removed",
                              "CHECKSUM_MISMATCH")
    os.replace(partial, blob)
    _stamp(blob, stamp)
    return blob


def _download(api: Api, path: str, partial: Path, size: int) -> str:
    """Brings `partial` to the blob's `size` bytes from the server and answers the SHA-256 of all of them, computed
    while they arrive. What an earlier attempt left is kept up to a multiple of ALIGN (where O_DIRECT writes can go
    on) and hashed first; the rest comes with a Range request."""
    fd = os.open(partial, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
    try:
        have = os.fstat(fd).st_size
        if have > size:
            have = 0
        elif have < size:
            have -= have % ALIGN
        os.ftruncate(fd, have)
        digest = hashlib.sha256()
        with open(fd, "rb", closefd=False) as kept:
            _hash_into(digest, kept)
        if have < size:
            headers = {"Range": f"bytes={have}-"} if have else {}
            with api.transfer("GET", path, headers=headers, accept=(416,)) as response:
                if response.status == 416:  # the server's copy is shorter than ours: ours is wrong
                    os.ftruncate(fd, 0)
                    raise ServerUnavailable(f"{path}: range {have}- refused; downloading again")
                if response.status == 200 and have:  # the whole blob, whatever we asked
                    os.ftruncate(fd, 0)
                    digest = hashlib.sha256()
                os.lseek(fd, 0, os.SEEK_END)
                try:
                    _receive_into(response, fd, digest, direct=size >= DIRECT_MIN)
                except (OSError, ValueError, http.client.HTTPException) as error:  # cut: what came stays
                    raise ServerUnavailable(f"download of {path} cut: {error}") from None
            got = os.fstat(fd).st_size
            if got < size:
                raise ServerUnavailable(f"download of {path} ended at {got} of {size} bytes")
        os.fsync(fd)
        return digest.hexdigest()
    finally:
        os.close(fd)


def _receive_into(response: http.client.HTTPResponse, fd: int, digest: Any, direct: bool) -> None:
    """Appends the response's body to `fd` and to `digest` in a pipeline of page-aligned buffers: one thread reads
    the socket into a buffer while another hashes the one before and this one writes the one before that (each call
    gives up the GIL). With `direct`, whole buffers are written with O_DIRECT: on small VMs writes into the page
    cache cost more than the disk itself, and a checkpoint just downloaded is rarely read at once. Where the file
    system refuses O_DIRECT (EINVAL), and for the last, unaligned buffer, writes go through the page cache."""
    free: "queue.Queue[Optional[mmap.mmap]]" = queue.Queue()
    for _ in range(TRANSFER_BUFFERS):
        free.put(mmap.mmap(-1, TRANSFER_BUFFER))
    stop = threading.Event()  # the writing side failed: the receiver ends after its current read

    def receive(buffer: mmap.mmap) -> Tuple[mmap.mmap, int]:
        count = 0
        with memoryview(buffer) as view:
            while count < len(buffer) and not stop.is_set():
                got = response.readinto(view[count:])
                if not got:
                    break
                count += got
        return buffer, count

    def hash_(item: Tuple[mmap.mmap, int]) -> Tuple[mmap.mmap, int]:
        with memoryview(item[0])[:item[1]] as view:
            digest.update(view)
        return item

    received = _Stage(receive, free, "trackstack-download")
    hashed = _Stage(hash_, received.outbox, "trackstack-download-hash")
    try:
        while True:
            item = hashed.outbox.get()
            if isinstance(item, BaseException):
                raise item
            buffer, count = item
            with memoryview(buffer)[:count] as view:
                direct = _write(fd, view, direct and count % ALIGN == 0)
            if count < len(buffer):
                return
            free.put(buffer)
    finally:
        stop.set()
        free.put(None)  # wakes a receiver waiting for a buffer
        received.join()
        hashed.join()


class _Stage(threading.Thread):
    """A thread that applies `work` to each item of `inbox` and puts the result in `outbox`, until an item is None
    or a buffer that is not full (the end of the body), which it passes on and stops at. An error is passed on in
    place of a result, and stops it too."""

    def __init__(self, work: Callable[[Any], Tuple[mmap.mmap, int]], inbox: "queue.Queue[Any]", name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.work, self.inbox, self.outbox = work, inbox, queue.Queue()  # type: ignore[var-annotated]
        self.start()

    def run(self) -> None:
        while True:
            item = self.inbox.get()
            if item is None or isinstance(item, BaseException):
                self.outbox.put(item)
                return
            try:
                buffer, count = self.work(item)
            except BaseException as error:  # raised by the writing thread
                self.outbox.put(error)
                return
            self.outbox.put((buffer, count))
            if count < len(buffer):
                return


def _write(fd: int, view: memoryview, direct: bool) -> bool:
    """Writes all of `view` to `fd`, with O_DIRECT when asked and allowed; answers whether it was."""
    direct = _set_direct(fd, direct and O_DIRECT != 0)
    while view:
        try:
            written = os.write(fd, view)
        except OSError as error:
            if not direct or error.errno != errno.EINVAL:
                raise
            direct = _set_direct(fd, False)
            continue
        view = view[written:]
    return direct


def _set_direct(fd: int, direct: bool) -> bool:
    """Turns O_DIRECT on or off for `fd`; answers whether it is on (a file system may refuse it: EINVAL)."""
    if O_DIRECT == 0:
        return False
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    if direct == bool(flags & O_DIRECT):
        return direct
    try:
        fcntl.fcntl(fd, fcntl.F_SETFL, flags ^ O_DIRECT)
    except OSError as error:
        if error.errno != errno.EINVAL:
            raise
        return False
    return direct


def _verified(blob: Path, stamp: Path, sha256: str, size: int) -> bool:
    """Whether the cached blob holds its bytes: unchanged since checked, or hashed again and still matching."""
    try:
        stat = blob.stat()
    except FileNotFoundError:
        return False
    try:
        if stamp.read_text() == f"{stat.st_size} {stat.st_mtime_ns}" and stat.st_size == size:
            return True
    except FileNotFoundError:
        pass
    if stat.st_size == size and sha256_of(blob) == sha256:
        _stamp(blob, stamp)
        return True
    log.warning("Trackstack cache: %s does not match its SHA-256 any more; downloading it again", blob)
    blob.unlink()
    return False


def _stamp(blob: Path, stamp: Path) -> None:
    stat = blob.stat()
    stamp.write_text(f"{stat.st_size} {stat.st_mtime_ns}")


def parse_spec(spec: str, project: Optional[str] = None) -> Tuple[Optional[str], str, Optional[int], Optional[str]]:
    """"[project/]name[:alias|:vN]" as (project, name, version, alias); "name" alone means the latest version."""
    if "/" in spec:
        project, spec = spec.split("/", 1)
    name, _, selector = spec.partition(":")
    if not name:
        raise ValueError(f"no artifact name in {spec!r}")
    number = VERSION_SPEC.fullmatch(selector)
    if number:
        return project, name, int(number.group(1)), None
    return project, name, None, selector or None


def get_artifact(spec: str, project: Optional[str] = None, *, url: Optional[str] = None,
                 token: Optional[str] = None, download: bool = False) -> Artifact:
    """An artifact version without a run (no lineage is recorded): `spec` is "[project/]name[:alias|:vN]";
    `project` default $TRACKSTACK_PROJECT, else "default". download: also fetch its files into the cache now.
    Raises RequestRejected (NOT_FOUND) when there is no such artifact, version or alias."""
    project, name, version, alias = parse_spec(spec, project or os.environ.get("TRACKSTACK_PROJECT") or "default")
    api = Api.of(url, token)
    artifact = read_version(api, project, name, version, alias)
    if download:
        artifact.download()
    return artifact


def read_version(api: Api, project: str, name: str, version: Optional[int], alias: Optional[str]) -> Artifact:
    data = api.artifact_version(project, name, version, alias)
    if data is None:
        raise RequestRejected(f"the token does not cover project {project!r}", "FORBIDDEN")
    return Artifact(api, data)


class Uploader:
    """A run's artifact uploads, one at a time, each on a thread of its own that is not a daemon: the interpreter
    waits for them at exit (an upload ends by committing, or by spooling its version)."""

    def __init__(self, send: Callable[[Dict[str, Any], ArtifactUpload], Optional[Artifact]]) -> None:
        self._send = send
        self._turn = threading.Lock()  # uploads share the bandwidth best one after another
        self._threads: List[threading.Thread] = []

    def submit(self, make_entry: Callable[[], Dict[str, Any]], name: str) -> ArtifactUpload:
        handle = ArtifactUpload(name)

        def work() -> None:
            with self._turn:
                try:
                    handle._future.set_result(self._send(make_entry(), handle))
                except BaseException as error:  # handed to wait(); logged for those who never wait
                    log.warning("Trackstack could not log artifact %s: %s", name, error)
                    handle._future.set_exception(error)

        thread = threading.Thread(target=work, name=f"trackstack-artifact-{name}", daemon=False)
        self._threads = [alive for alive in self._threads if alive.is_alive()] + [thread]
        thread.start()
        return handle

    def join(self, timeout: Optional[float] = None) -> None:
        """Waits for the uploads started so far."""
        for thread in list(self._threads):
            thread.join(timeout)
