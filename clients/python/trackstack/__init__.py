"""Trackstack's Python client: log metrics from a training script to a Trackstack server.

    import trackstack
    with trackstack.init(project="Image Classification", model="ResNet50", config={"lr": 0.001}) as run:
        for step in range(1000):
            run.log({"loss": loss}, step=step, split="train")
"""
from .api import RequestRejected, ServerUnavailable, TrackstackError
from .artifact import Artifact, ArtifactFile, ArtifactUpload, get_artifact
from . import graders, trace
from .evals import (DatasetItem, DatasetVersion, EvalRun, Output, add_items, dataset_version, eval_run, evaluate,
                    load_items, set_score_config)
from .media import Histogram, Image, Table, Text
from .export import export_points, export_runs, import_points, points_frame
from .prompt import MissingVariable, Prompt, get_prompt, save_prompt, set_prompt_label
from .run import Run, init
from .runs_import import ImportFailed, import_runs

__version__ = "0.1.0"
__all__ = ["init", "Run", "import_runs", "ImportFailed", "export_points", "export_runs", "points_frame",
           "import_points", "trace", "get_prompt", "save_prompt", "set_prompt_label", "Prompt", "MissingVariable",
           "TrackstackError", "ServerUnavailable", "RequestRejected", "__version__",
           "graders", "add_items", "load_items", "dataset_version", "set_score_config", "eval_run", "evaluate",
           "EvalRun", "DatasetVersion", "DatasetItem", "Output", "Artifact", "ArtifactFile", "ArtifactUpload",
           "get_artifact", "Image", "Histogram", "Table", "Text"]
