"""`python -m bench` (``./run bench``): every benchmark module, one after another; one JSON file.

Options: ``--quick`` (each module's short variant: its ``QUICK_ARGV``, else the arguments in
``QUICK`` below) to check that everything works; ``--only a,b`` to run some modules (names
without ``bench_``). Every ``bench_*`` module present is run (a new one, e.g. the apps
engineer's ``bench_apps``, joins by being there); what each ``main`` returns goes into one
``bench/results/<time>-run.json``, whose path is printed at the end after the headline table.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import time
import traceback
from typing import Any

import bench
from bench.results import print_table, save

#: the short variant of the modules that predate ``QUICK_ARGV``
QUICK = {
    "bench_write": ["--count", "120", "--warmup", "3"],
    "bench_streams": ["--events", "500"],
    "bench_projections": ["--commands", "150", "--rounds", "1"],
    "bench_apps": ["--quick"],
}


def modules(only: set[str] | None) -> list[str]:
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__))
    chosen = [n for n in names if n.startswith("bench_")]
    if only:
        chosen = [n for n in chosen if n.removeprefix("bench_") in only]
    return chosen


def run_all(quick: bool = False, only: set[str] | None = None) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name in modules(only):
        print(f"\n######## {name}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        argv = (getattr(module, "QUICK_ARGV", None) or QUICK.get(name, [])) if quick else []
        started = time.monotonic()
        try:
            returned = module.main(list(argv))
        except Exception as exc:  # one broken module must not lose the others' results
            traceback.print_exc()
            returned = {"error": repr(exc)}
        seconds = round(time.monotonic() - started, 1)
        results[name] = {"seconds": seconds, **(returned if isinstance(returned, dict) else {})}
    return results


def headlines(results: dict[str, Any]) -> list[list[Any]]:
    """The figures BENCHMARKS.md quotes first, where their modules ran."""
    rows: list[list[Any]] = []
    seed = results.get("bench_seed", {})
    for workload in ("one hot account", "many accounts"):
        if workload in seed:
            x = seed[workload]["ours_over_seed"]
            spread = x.get("spread", ["", ""])
            label = f"{workload}: ours / seed, median of rounds ({spread[0]}-{spread[1]})"
            rows.append([label, x.get("median", x["throughput"]), "x"])
    batch = results.get("bench_batch", {})
    for label in ("submit, batched", "8 threads, batched"):
        if label in batch:
            rows.append([f"{label}: x the two-item floor", batch[label]["x_floor"], "x"])
            rows.append([f"{label}: x the 50-item ceiling", batch[label]["x_ceiling_50"], "x"])
    for label, value in results.get("bench_processes", {}).get("adopt_over_reread", {}).items():
        rows.append([f"hot account, {label}: adopt / re-read throughput", value, "x"])
    steady = results.get("bench_steady", {}).get("steady")
    if steady:
        rows.append(
            ["projection lag p99 at half the max write rate", steady["lag"]["p99_ms"], "ms"]
        )
        burst = results["bench_steady"]["burst"]
        rows.append(["drain after a 10x burst", burst["drain_seconds_after_burst"], "s"])
    memory = results.get("bench_memory", {})
    if "poller_projector" in memory:
        rows.append(
            ["poller + projector RSS growth", memory["poller_projector"]["growth_pct"], "%"]
        )
        rows.append(["submit peak RSS, large / small input", memory["submit"]["ratio"], "x"])
    credit = results.get("bench_costs", {}).get("credit")
    if isinstance(credit, dict):
        rows.append(["credit, USD per million (on-demand)", credit["usd_per_million"], "USD"])
    profile = results.get("bench_profile", {}).get("memory")
    if profile:
        ceiling = profile["write_txns_per_s_single_thread"]
        rows.append(["CPU ceiling, in-memory store, one thread", ceiling, "txns/s"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short variants, to check")
    parser.add_argument("--only", default="", help="comma-separated module names")
    args = parser.parse_args()
    only = {n.strip().removeprefix("bench_") for n in args.only.split(",") if n.strip()}
    results = run_all(args.quick, only or None)
    print_table("headlines (details above)", ["what", "value", "unit"], headlines(results))
    path = save({"quick": args.quick, "modules": results}, "quick" if args.quick else "run")
    print(f"\nresults: {path}")


if __name__ == "__main__":
    main()
