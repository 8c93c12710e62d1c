"""`python -m trackstack sync`: sends what runs left in the spool while the server was unreachable.
`python -m trackstack import lm-eval DIR` / `import promptfoo results.json`: imports another eval tool's output.
`python -m trackstack import tensorboard|mlflow|wandb SOURCE`: imports runs of another tracker (docs/importing.md)."""
import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import List, Optional

from .api import TrackstackError
from .spool import default_spool_dir, sync


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trackstack")
    commands = parser.add_subparsers(dest="command", required=True)
    sync_command = commands.add_parser("sync", help="replay the spool files to the server")
    sync_command.add_argument("--url", help="the server (default: the one each run was logged to)")
    sync_command.add_argument("--spool-dir", type=Path, default=None,
                              help="default: $TRACKSTACK_SPOOL_DIR or ~/.trackstack/spool")
    import_command = commands.add_parser("import", help="import another tracker's runs, or an eval tool's output as a "
                                                        "dataset and eval runs")
    import_command.add_argument("tool", choices=["tensorboard", "mlflow", "wandb", "lm-eval", "promptfoo"],
                                help="tensorboard, mlflow, wandb: runs read by the server (docs/importing.md); "
                                     "lm-eval: an lm-evaluation-harness --output_path directory (with --log_samples);"
                                     " promptfoo: the file of `promptfoo eval -o results.json`")
    import_command.add_argument("path", help="a directory or file (on the server's machine for tensorboard, mlflow "
                                             "and wandb), or a URL of an MLflow or W&B server")
    import_command.add_argument("--project", help="required except for mlflow and wandb, whose sources name theirs")
    import_command.add_argument("--model", help="tensorboard, mlflow, wandb: the model of the runs (default: the "
                                                "format's name)")
    import_command.add_argument("--api-key", help="mlflow, wandb: the server's credential (default: $WANDB_API_KEY "
                                                  "for wandb)")
    import_command.add_argument("--dataset", help="promptfoo: the dataset's name (default: promptfoo/<description>)")
    import_command.add_argument("--url", help="default: $TRACKSTACK_URL or http://localhost:8080")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    token = os.environ.get("TRACKSTACK_TOKEN")
    if arguments.command == "import":
        return _import(arguments, token)
    replayed, left = sync(arguments.spool_dir or default_spool_dir(), arguments.url, token)
    print(f"{replayed} spool file(s) replayed, {left} left")
    return 1 if left else 0


def _import(arguments: argparse.Namespace, token: Optional[str]) -> int:
    from .importers import import_lm_eval, import_promptfoo  # only this command needs them
    from .runs_import import FORMATS, import_runs
    if arguments.tool in FORMATS:
        return _import_runs(arguments, token, import_runs)
    if not arguments.project:
        print(f"import {arguments.tool} needs --project", file=sys.stderr)
        return 2
    try:
        if arguments.tool == "lm-eval":
            summaries = import_lm_eval(Path(arguments.path), arguments.project, arguments.url, token)
        else:
            summaries = import_promptfoo(Path(arguments.path), arguments.project, arguments.dataset, arguments.url,
                                         token)
    except (OSError, ValueError, TrackstackError) as error:
        print(f"import failed: {error}", file=sys.stderr)
        return 1
    for summary in summaries:
        print(json.dumps(summary))
    return 0


def _import_runs(arguments: argparse.Namespace, token: Optional[str], import_runs) -> int:
    def show(job: dict) -> None:
        print(f"{job['state'].lower()}: {job['runsRead']} runs read ({job['runsCreated']} new), "
              f"{job['pointsStored']} points stored, {job['pointsDuplicate']} already there", flush=True)

    api_key = arguments.api_key or (os.environ.get("WANDB_API_KEY") if arguments.tool == "wandb" else None)
    try:
        job = import_runs(arguments.tool, arguments.path, arguments.project, arguments.model, api_key,
                          arguments.url, token, progress=show)
    except TrackstackError as error:
        job = getattr(error, "job", None) or {}
        for line in job.get("unmapped", []):
            print(f"not imported: {line}")
        print(f"import failed: {error}", file=sys.stderr)
        return 1
    for line in job["unmapped"]:
        print(f"not imported: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
