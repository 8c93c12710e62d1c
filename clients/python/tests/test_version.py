"""The client's version: one value in pyproject.toml and trackstack.__version__, the server's release version."""
import os
import re
import unittest
from pathlib import Path

import trackstack

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


class VersionTest(unittest.TestCase):
    def test_module_version_is_the_package_version(self) -> None:
        declared = re.search(r'^version = "([^"]+)"$', PYPROJECT.read_text(encoding="utf-8"), re.MULTILINE)
        self.assertIsNotNone(declared, f"no version in {PYPROJECT}")
        self.assertEqual(declared.group(1), trackstack.__version__)

    @unittest.skipUnless(os.environ.get("TRACKSTACK_VERSION"), "the Maven build sets TRACKSTACK_VERSION")
    def test_version_is_the_servers(self) -> None:
        # Between releases Maven's version is the next one with -SNAPSHOT; a release sets both to X.Y.Z.
        self.assertEqual(os.environ["TRACKSTACK_VERSION"].removesuffix("-SNAPSHOT"), trackstack.__version__)


if __name__ == "__main__":
    unittest.main()
