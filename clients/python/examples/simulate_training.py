"""A simulated training run: noisy, decaying train and validation losses, accuracy and a learning-rate schedule.

    python clients/python/examples/simulate_training.py --url http://localhost:8080

Open the dashboard while it runs to watch the charts fill. Needs no ML framework, only the trackstack package
(installed, or found next to this directory).
"""
import argparse
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the package from this checkout when not installed
import trackstack  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=None, help="the Trackstack server (default $TRACKSTACK_URL or :8080)")
    parser.add_argument("--project", default="Examples")
    parser.add_argument("--model", default="SimulatedNet")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--delay", type=float, default=0.002, help="seconds per step, to watch it live")
    parser.add_argument("--seed", type=int, default=None)
    arguments = parser.parse_args()

    rng = random.Random(arguments.seed)
    config = {"lr": 3e-3, "warmup_steps": arguments.steps // 20, "batch_size": 64, "optimizer": "adamw",
              "seed": arguments.seed}
    with trackstack.init(project=arguments.project, model=arguments.model, config=config, tags=["simulated"],
                         url=arguments.url) as run:
        print(f"run {run.id}: {arguments.steps} steps", flush=True)
        validate_every = max(1, arguments.steps // 50)
        for step in range(arguments.steps):
            progress = step / arguments.steps
            warmup = min(1.0, (step + 1) / config["warmup_steps"]) if config["warmup_steps"] else 1.0
            lr = config["lr"] * warmup * 0.5 * (1 + math.cos(math.pi * progress))
            loss = 0.15 + 2.2 * math.exp(-5 * progress)
            accuracy = 0.97 - 0.87 * math.exp(-6 * progress)
            run.log({"loss": loss * rng.lognormvariate(0, 0.12), "accuracy": min(1.0, accuracy + rng.gauss(0, 0.02)),
                     "lr": lr}, step=step, split="train")
            if step % validate_every == validate_every - 1:
                overfit = 0.25 * max(0.0, progress - 0.6)  # validation drifts up late in training
                run.log({"loss": (loss + 0.05 + overfit) * rng.lognormvariate(0, 0.04),
                         "accuracy": accuracy - 0.03 - overfit / 4}, step=step, split="validation")
            if arguments.delay:
                time.sleep(arguments.delay)
    print(f"run {run.id} completed", flush=True)


if __name__ == "__main__":
    main()
