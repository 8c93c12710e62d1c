"""`python -m trackstack sync`: sends what runs left in the spool while the server was unreachable."""
import argparse
import logging
import os
import sys
from pathlib import Path
from typing import List, Optional

from .spool import default_spool_dir, sync


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trackstack")
    commands = parser.add_subparsers(dest="command", required=True)
    sync_command = commands.add_parser("sync", help="replay the spool files to the server")
    sync_command.add_argument("--url", help="the server (default: the one each run was logged to)")
    sync_command.add_argument("--spool-dir", type=Path, default=None,
                              help="default: $TRACKSTACK_SPOOL_DIR or ~/.trackstack/spool")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    replayed, left = sync(arguments.spool_dir or default_spool_dir(), arguments.url,
                          os.environ.get("TRACKSTACK_TOKEN"))
    print(f"{replayed} spool file(s) replayed, {left} left")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
