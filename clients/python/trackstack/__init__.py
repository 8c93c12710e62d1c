"""Trackstack's Python client: log metrics from a training script to a Trackstack server.

    import trackstack
    with trackstack.init(project="Image Classification", model="ResNet50", config={"lr": 0.001}) as run:
        for step in range(1000):
            run.log({"loss": loss}, step=step, split="train")
"""
from .api import RequestRejected, ServerUnavailable, TrackstackError
from . import trace
from .prompt import MissingVariable, Prompt, get_prompt, save_prompt, set_prompt_label
from .run import Run, init

__version__ = "0.1.0"
__all__ = ["init", "Run", "trace", "get_prompt", "save_prompt", "set_prompt_label", "Prompt", "MissingVariable",
           "TrackstackError", "ServerUnavailable", "RequestRejected", "__version__"]
