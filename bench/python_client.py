"""Python client benchmark: the cost of run.log() on the training loop, and end-to-end points/s.

Usage: python3 bench/python_client.py --url http://localhost:8080 [--points 200000]
(with the client importable: pip install ./clients/python, or PYTHONPATH=clients/python)
"""
import argparse
import json
import time

import trackstack


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--points", type=int, default=200_000)
    args = parser.parse_args()

    run = trackstack.init(project="bench-python", model="client", url=args.url, heartbeat_interval=3600)
    calls = args.points // 2  # two metrics per call, as a training loop logs loss and accuracy
    started = time.perf_counter()
    for step in range(calls):
        run.log({"loss": 1.0 / (step + 1), "accuracy": step / calls}, step=step, split="train")
    logged = time.perf_counter()
    run.finish()  # waits until the server has every point
    finished = time.perf_counter()

    print(json.dumps({
        "log_calls": calls,
        "points": 2 * calls,
        "log_call_us": round((logged - started) / calls * 1e6, 2),
        "end_to_end_points_per_s": round(2 * calls / (finished - started)),
    }, indent=2))


if __name__ == "__main__":
    main()
