"""The client's PEP 517 build backend, written with the standard library alone.

With setuptools as the backend, `pip install ./clients/python` first downloads setuptools into pip's isolated
build environment, which fails on a machine without a package index (a cluster's head node). The client has no
dependencies and no compiled parts, so its wheel is a zip of the package and three metadata files.
"""
import base64
import hashlib
import re
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "trackstack"
# One place for the version: the package's own __version__.
VERSION = re.search(r'^__version__ = "([^"]+)"', (ROOT / NAME / "__init__.py").read_text(), re.M).group(1)
DIST_INFO = f"{NAME}-{VERSION}.dist-info"
METADATA = f"""Metadata-Version: 2.1
Name: {NAME}
Version: {VERSION}
Summary: Python client of Trackstack, a self-hosted ML experiment tracker
Requires-Python: >=3.9
License: MIT
Classifier: License :: OSI Approved :: MIT License
Classifier: Programming Language :: Python :: 3
Classifier: Topic :: Scientific/Engineering :: Artificial Intelligence
"""
WHEEL = "Wheel-Version: 1.0\nGenerator: trackstack_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    package = {path.relative_to(ROOT).as_posix(): path.read_bytes() for path in sorted((ROOT / NAME).rglob("*.py"))}
    return _wheel(wheel_directory, package)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """`pip install -e`: a wheel whose .pth file puts this checkout on the path."""
    return _wheel(wheel_directory, {f"{NAME}.pth": f"{ROOT}\n".encode()})


def _wheel(wheel_directory, files: dict) -> str:
    files = {**files, f"{DIST_INFO}/METADATA": METADATA.encode(), f"{DIST_INFO}/WHEEL": WHEEL.encode()}
    record = [f"{path},sha256={_digest(data)},{len(data)}" for path, data in files.items()]
    files[f"{DIST_INFO}/RECORD"] = "".join(line + "\n" for line in record + [f"{DIST_INFO}/RECORD,,"]).encode()
    wheel_name = f"{NAME}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(Path(wheel_directory) / wheel_name, "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files.items():
            wheel.writestr(path, data)
    return wheel_name


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
