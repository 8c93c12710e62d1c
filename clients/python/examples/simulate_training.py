"""A simulated training run: noisy, decaying train and validation losses, accuracy and a learning-rate schedule.

    python clients/python/examples/simulate_training.py --url http://localhost:8080
    python clients/python/examples/simulate_training.py --sweep 8 --steps 1000   # 8 runs to compare

Open the dashboard while it runs to watch the charts fill. The learning rate and the optimizer shape the curves
(the best learning rate is near 3e-3; SGD learns more slowly than AdamW), so a sweep has something to compare. Needs no ML framework, only the trackstack package
(installed, or found next to this directory).
"""
import argparse
import math
import random
import sys
import time
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the package from this checkout when not installed
import trackstack  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=None, help="the Trackstack server (default $TRACKSTACK_URL or :8080)")
    parser.add_argument("--project", default="Examples")
    parser.add_argument("--model", default="SimulatedNet")
    parser.add_argument("--name", default=None, help="the run's name (default: its optimizer, lr and seed)")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--delay", type=float, default=0.002, help="seconds per step, to watch it live")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--lr", type=float, default=3e-3, help="peak learning rate")
    parser.add_argument("--optimizer", choices=["adamw", "sgd"], default="adamw")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--sweep", type=int, default=0, metavar="N",
                        help="run N runs one after another over learning rates, optimizers and seeds instead of one")
    arguments = parser.parse_args()
    if arguments.sweep:
        for config in sweep(arguments.sweep, arguments.seed or 0, arguments.batch_size):
            train(arguments, config, name=None)
    else:
        train(arguments, {"lr": arguments.lr, "optimizer": arguments.optimizer, "batch_size": arguments.batch_size,
                          "seed": arguments.seed}, name=arguments.name)


def sweep(runs: int, first_seed: int, batch_size: int) -> list:
    """Configurations that vary what a sweep varies: a log grid of learning rates, two optimizers, seeds."""
    rates = [1e-4, 3e-4, 1e-3, 3e-3]
    return [{"lr": rates[i % len(rates)], "optimizer": ("adamw", "sgd")[i // len(rates) % 2],
             "batch_size": batch_size, "seed": first_seed + i // (2 * len(rates))} for i in range(runs)]


def train(arguments: argparse.Namespace, config: dict, name: Optional[str]) -> None:
    rng = random.Random(config["seed"])
    config = {**config, "warmup_steps": arguments.steps // 20}
    name = name or f"{config['optimizer']} lr={config['lr']:g} seed={config['seed']}"
    # How well this learning rate suits the task: 1 at 3e-3, falling off on a log scale either side.
    fit = math.exp(-(math.log10(config["lr"]) - math.log10(3e-3)) ** 2 / 0.8)
    speed = (2 + 4 * fit) * (1.0 if config["optimizer"] == "adamw" else 0.6)
    floor = 0.15 + 0.5 * (1 - fit)
    with trackstack.init(project=arguments.project, model=arguments.model, name=name, config=config,
                         tags=["simulated"], url=arguments.url) as run:
        print(f"run {run.id} ({name}): {arguments.steps} steps", flush=True)
        validate_every = max(1, arguments.steps // 50)
        for step in range(arguments.steps):
            progress = step / arguments.steps
            warmup = min(1.0, (step + 1) / config["warmup_steps"]) if config["warmup_steps"] else 1.0
            lr = config["lr"] * warmup * 0.5 * (1 + math.cos(math.pi * progress))
            loss = floor + 2.2 * math.exp(-speed * progress)
            accuracy = (0.97 - 0.4 * (1 - fit)) - 0.87 * math.exp(-speed * progress)
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
