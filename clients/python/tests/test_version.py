"""The client's version: trackstack.__version__, carried by the wheel the build backend makes, and the server's."""
import os
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

import trackstack

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "build_backend"))
import trackstack_build  # noqa: E402


class VersionTest(unittest.TestCase):
    def test_the_wheel_carries_the_module_version_and_the_license(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            name = trackstack_build.build_wheel(directory)
            self.assertEqual(f"trackstack-{trackstack.__version__}-py3-none-any.whl", name)
            with zipfile.ZipFile(Path(directory) / name) as wheel:
                metadata = wheel.read(f"trackstack-{trackstack.__version__}.dist-info/METADATA").decode()
        self.assertIn(f"Version: {trackstack.__version__}\n", metadata)
        self.assertIn("License: MIT\n", metadata)

    @unittest.skipUnless(os.environ.get("TRACKSTACK_VERSION"), "the Maven build sets TRACKSTACK_VERSION")
    def test_version_is_the_servers(self) -> None:
        # Between releases Maven's version is the next one with -SNAPSHOT; a release sets both to X.Y.Z.
        self.assertEqual(os.environ["TRACKSTACK_VERSION"].removesuffix("-SNAPSHOT"), trackstack.__version__)


if __name__ == "__main__":
    unittest.main()
