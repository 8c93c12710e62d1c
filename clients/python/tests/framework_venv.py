"""Makes the virtual environment the build runs the client's tests in: tests/requirements-frameworks.txt installed
into target/venv. Skipped when target/venv was made from the same requirements before.

Usage: python3 tests/framework_venv.py [VENV_DIR]
"""
import glob
import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

CLIENT_DIR = Path(__file__).resolve().parents[1]
REQUIREMENTS = CLIENT_DIR / "tests" / "requirements-frameworks.txt"
# omegaconf needs antlr4-python3-runtime 4.9; a package index without it is helped out by Debian's python3-antlr4,
# the same release, pure Python.
DEBIAN_ANTLR = "/usr/lib/python3/dist-packages/antlr4_python3_runtime-4.9*.egg-info"


def fingerprint() -> str:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def main() -> int:
    venv = Path(sys.argv[1] if len(sys.argv) > 1 else CLIENT_DIR / "target" / "venv").resolve()
    stamp = venv / "requirements.sha256"
    if stamp.is_file() and stamp.read_text() == fingerprint():
        print(f"{venv}: up to date")
        return 0
    started = time.monotonic()
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    for egg_info in glob.glob(DEBIAN_ANTLR):
        site_packages = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                       check=True, capture_output=True, text=True).stdout.strip()
        shutil.copytree(egg_info, Path(site_packages) / Path(egg_info).name)
        shutil.copytree(Path(egg_info).parent / "antlr4", Path(site_packages) / "antlr4")
    # One retry per request, not pip's five with back-off: an index that cannot be reached at all (a machine that
    # has only a local mirror) would otherwise cost seconds for every package.
    pip = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--retries", "1", "-r", str(REQUIREMENTS)])
    if pip.returncode != 0:
        if not glob.glob(DEBIAN_ANTLR):
            print("If antlr4-python3-runtime was not found: install Debian's python3-antlr4 "
                  "(apt-get install python3-antlr4)", file=sys.stderr)
        return pip.returncode
    stamp.write_text(fingerprint())
    print(f"{venv}: made in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
