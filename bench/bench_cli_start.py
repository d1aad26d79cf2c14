"""How fast the CLI answers: `acme-txn --help`, a usage error and `local status`, each against
a bare `python -c pass`, measured side by side (interleaved rounds, the median of each), and
printed as ratios. Run alone: ``python -m bench.bench_cli_start [--rounds 5]``."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

CASES: dict[str, list[str]] = {
    "python -c pass": ["-c", "pass"],
    "acme-txn --help": ["-m", "acme_txn.cli.main", "--help"],
    "acme-txn balanse (usage error)": ["-m", "acme_txn.cli.main", "balanse"],
    "acme-txn local status": ["-m", "acme_txn.cli.main", "local", "status"],
}
QUICK_ARGV = ["--rounds", "3"]


def _once(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], capture_output=True, env=env, check=False)
    return time.perf_counter() - started


def measure(rounds: int) -> dict[str, float]:
    """The median seconds of each case, the cases interleaved in every round."""
    import os

    with tempfile.TemporaryDirectory() as state:
        env = {**os.environ, "ACME_STATE_DIR": state}  # no server: `local status` says so
        times: dict[str, list[float]] = {name: [] for name in CASES}
        for _ in range(rounds):
            for name, args in CASES.items():
                times[name].append(_once(args, env))
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    medians = measure(args.rounds)
    bare = medians["python -c pass"]
    print(f"{'case':<34} {'median s':>9} {'x bare python':>14}")
    for name, seconds in medians.items():
        print(f"{name:<34} {seconds:>9.3f} {seconds / bare:>14.1f}")
    return {"rounds": args.rounds, "median_s": medians,
            "over_bare": {n: round(s / bare, 2) for n, s in medians.items()}}  # fmt: skip


if __name__ == "__main__":  # pragma: no cover
    main()
