"""Where one transaction's time goes, and the CPU ceiling per core (item 7).

Run: ``python -m bench.bench_profile [--count N] [--quick] [--memory-only]``. cProfile
over single-threaded credits (many accounts) and over the projector, each on the in-memory
twin (the backend taken away: the CPU ceiling per core) and on DynamoDB Local (where the
wall time goes: HTTP and waiting on the backend). Own time (cProfile ``tottime``) is grouped
by where the code lives; the top functions are printed too. Ceilings are measured without
the profiler.

``--against REV [--rounds N]``: the in-memory ceilings of the working tree beside those of
the commit ``REV``, side by side in one run (``bench.side_by_side``), instead of the profile.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable
from typing import Any

from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from acme_txn.workload import (
    WorkloadSpec,
    customer_commands,
    funding_commands,
    opening_commands,
)
from bench import side_by_side
from bench.common import backend, fresh_tables
from bench.results import print_table, save

QUICK_ARGV = ["--quick"]

#: (category, substrings of the code's file path), first match wins
CATEGORIES = [
    ("HTTP + waiting on the backend", ("botocore", "urllib3", "http/", "socket", "ssl")),
    ("validation (pydantic)", ("pydantic",)),
    ("decide / evolve / stamp (pure core)", ("processor/domain/",)),
    (
        "serialisation (codec, boto3 types, json, hashing)",
        ("codec", "event_body", "boto3/dynamodb", "json", "acme_base/aws", "hashlib"),
    ),
    ("in-memory twin (the store itself)", ("processor/storage/memory", "processor/storage/ports")),
    (
        "group commit, appender, batcher",
        ("processor/services/", "processor/storage/append_batch", "processor/storage/pending"),
    ),
    ("locks, threads, futures", ("threading", "concurrent")),
    ("projector + views", ("projections/",)),
    ("other project code", ("processor/", "acme_base/", "acme_txn/", "streams/")),
]


#: built-in functions (no file) that are the socket's send and receive
SOCKET_CALLS = ("recv_into", "sendall", "recv", "send", "poll", "select")


def _category(filename: str, function: str) -> str:
    if filename == "~" and any(f"'{c}'" in function for c in SOCKET_CALLS):
        return CATEGORIES[0][0]
    where = function if filename == "~" else filename  # a built-in: its name says whose
    for name, marks in CATEGORIES:
        if any(m in where for m in marks):
            return name
    return "other (stdlib, interpreter)"


def profile(fn: Callable[[], Any]) -> tuple[float, pstats.Stats]:
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(fn)
    seconds = time.perf_counter() - started
    return seconds, pstats.Stats(profiler, stream=io.StringIO())


def breakdown(stats: pstats.Stats) -> dict[str, float]:
    """Share of own time per category."""
    totals: dict[str, float] = {}
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _, function), (_, _, tottime, _, _) in raw.items():
        key = _category(filename, function)
        totals[key] = totals.get(key, 0.0) + tottime
    whole = sum(totals.values()) or 1.0
    return {k: round(v / whole, 3) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}


def top(stats: pstats.Stats, n: int = 8) -> list[dict[str, Any]]:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    rows = sorted(raw.items(), key=lambda kv: -kv[1][2])[:n]
    return [
        {
            "function": f"{f.split('/')[-1]}:{line}({name})",
            "tottime_ms": round(t * 1000, 1),
            "calls": nc,
        }
        for (f, line, name), (_, nc, t, _, _) in rows
    ]


def _prepared(app: App, spec: WorkloadSpec) -> list[str]:
    ledger = app.ledger
    for cmd in customer_commands(spec) + opening_commands(spec) + funding_commands(spec):
        ledger.submit_raw(cmd)
    return [c["account_id"] for c in opening_commands(spec)]


def _credits(app: App, accounts: list[str], tag: str, count: int) -> Callable[[], None]:
    def run() -> None:
        for n in range(count):
            cmd = {
                "type": "credit",
                "txn_id": f"{tag}{n}",
                "account_id": accounts[n % len(accounts)],
            }
            app.ledger.submit_raw({**cmd, "amount": "1.00"})

    return run


def measure_app(label: str, app: App, count: int) -> dict[str, Any]:
    accounts = _prepared(app, WorkloadSpec(accounts=50, prefix="P"))
    plain = time.perf_counter()
    _credits(app, accounts, "C", count)()  # the ceiling: no profiler
    ceiling = count / (time.perf_counter() - plain)
    _, write_stats = profile(_credits(app, accounts, "D", count))
    events = list(app.event_store.all_events())
    started = time.perf_counter()
    app.projector.project(events)
    projector_rate = len(events) / (time.perf_counter() - started)
    fresh = bootstrap(app.settings, memory=True) if label == "memory" else None
    target = fresh.projector if fresh is not None else app.projector
    _, proj_stats = profile(lambda: target.project(events))
    return {
        "write_txns_per_s_single_thread": round(ceiling, 1),
        "write_breakdown": breakdown(write_stats),
        "write_top": top(write_stats),
        "projector_events_per_s_single_thread": round(projector_rate, 1),
        "projector_breakdown": breakdown(proj_stats),
        "projector_top": top(proj_stats),
    }


def report(results: dict[str, Any]) -> None:
    rows = [
        [
            backend_name,
            r["write_txns_per_s_single_thread"],
            r["projector_events_per_s_single_thread"],
        ]
        for backend_name, r in results.items()
    ]
    print_table(
        "CPU ceiling, one thread (in-memory = no backend)", ["backend", "txns/s", "proj ev/s"], rows
    )
    for backend_name, r in results.items():
        for what in ("write", "projector"):
            shares = [[k, f"{v * 100:.1f}%"] for k, v in r[f"{what}_breakdown"].items()]
            print_table(f"{what} path own time, {backend_name}", ["where", "share"], shares)
            tops = [[t["function"][:70], t["tottime_ms"], t["calls"]] for t in r[f"{what}_top"]]
            print_table(
                f"{what} path top functions, {backend_name}", ["function", "ms", "calls"], tops
            )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=3000, help="credits on the in-memory twin")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--save", action="store_true", help="also write a JSON file")
    parser.add_argument("--memory-only", action="store_true", help="skip DynamoDB Local")
    parser.add_argument(
        "--against",
        metavar="REV",
        help="compare the in-memory ceilings with this earlier commit's, side by side",
    )
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds (--against)")
    args = parser.parse_args(argv)
    count = 300 if args.quick else args.count
    if args.against:
        compared = side_by_side.compare(args.against, 2 if args.quick else args.rounds, count)
        side_by_side.report(compared)
        if args.save:
            print(f"results: {save({'against': compared}, 'profile-against')}")
        return compared
    results = {"memory": measure_app("memory", bootstrap(Settings(), memory=True), count)}
    if not args.memory_only:
        with backend() as base:
            settings, client = fresh_tables(base, "bf")
            app = bootstrap(settings, dynamodb=client)
            results["dynamodb local"] = measure_app("dynamodb", app, max(count // 10, 60))
    report(results)
    if args.save:
        print(f"results: {save({'profile': results}, 'profile')}")
    return results


if __name__ == "__main__":
    main(["--save", *sys.argv[1:]])
