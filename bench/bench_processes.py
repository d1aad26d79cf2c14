"""One hot account written from several OS processes, as concurrent Lambdas would (item 2).

Run: ``python -m bench.bench_processes [--count N] [--procs 1,2,4] [--quick]``. Each process
builds its own product (``bootstrap``: its own group commit and head cache) and runs 8
submitter threads of credits on the same account; all start together on a shared event.
Each process count runs twice, with ``LedgerConfig.adopt_heads`` off and on (the loser of a
seq race takes the winner's head from the cancellation reason and retries at once, instead of
forgetting it, backing off and re-reading). Reported: throughput, lost races per txn, p50/p99.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from acme_base.settings import Settings
from acme_txn.bootstrap import Options, bootstrap
from acme_txn.workload import WorkloadSpec, customer_commands, opening_commands
from bench.common import backend, fresh_tables
from bench.results import latency_ms, print_table, ratio, save
from processor.services.config import LedgerConfig

WORKERS = 8
QUICK_ARGV = ["--quick"]


@dataclass(frozen=True)
class Job:
    settings: Settings
    account: str
    tag: str
    count: int
    adopt: bool


def _process(job: Job, start: Any, out: Any) -> None:
    """One "Lambda" (see ``_credits``); a failure is reported, not left to a timeout."""
    try:
        out.put(_credits(job, start))
    except Exception as exc:
        start.wait()
        out.put({"error": repr(exc)})


def _credits(job: Job, start: Any) -> dict[str, Any]:
    """Its own ledger, 8 threads, ``count`` credits on the hot account."""
    options = Options(ledger=LedgerConfig(adopt_heads=job.adopt))
    ledger = bootstrap(job.settings, options).ledger

    def one(n: int) -> float:
        began = time.perf_counter()
        cmd = {"type": "credit", "txn_id": f"{job.tag}-{n}", "account_id": job.account}
        outcome = ledger.submit_raw({**cmd, "amount": "1.00"})
        if outcome.status != "approved":
            raise RuntimeError(f"{job.tag}-{n}: {outcome}")
        return time.perf_counter() - began

    start.wait()
    began = time.time()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        latencies = list(pool.map(one, range(job.count)))
    return {
        "began": began,
        "ended": time.time(),
        "latencies": latencies,
        "retries": ledger.stats["retries"],
        "adopted": ledger.stats.get("adopted", 0),
        "groups": ledger.stats["groups"],
    }


def measure(settings: Settings, procs: int, adopt: bool, count: int, tag: str) -> dict[str, Any]:
    spec = WorkloadSpec(accounts=1, prefix=tag)
    setup = bootstrap(settings).ledger
    for cmd in customer_commands(spec) + opening_commands(spec):
        setup.submit_raw(cmd)
    account = opening_commands(spec)[0]["account_id"]
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    workers = [
        ctx.Process(
            target=_process, args=(Job(settings, account, f"{tag}-{p}", count, adopt), start, out)
        )
        for p in range(procs)
    ]
    for w in workers:
        w.start()
    time.sleep(2.0 + procs)  # let every process import and build its product
    start.set()
    parts = [out.get(timeout=900) for _ in workers]
    for w in workers:
        w.join()
    errors = [p["error"] for p in parts if "error" in p]
    if errors:
        raise RuntimeError(f"{procs} processes: {errors}")
    latencies = [x for p in parts for x in p["latencies"]]
    seconds = max(p["ended"] for p in parts) - min(p["began"] for p in parts)
    txns = len(latencies)
    return {
        "processes": procs,
        "adopt_heads": adopt,
        "txns": txns,
        "txns_per_s": round(txns / seconds, 1),
        **latency_ms(latencies),
        "lost_races_per_txn": round(sum(p["retries"] for p in parts) / txns, 3),
        "adopted_per_txn": round(sum(p["adopted"] for p in parts) / txns, 3),
        "txns_per_group": round(txns / max(sum(p["groups"] for p in parts), 1), 2),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300, help="credits per process")
    parser.add_argument("--procs", default="1,2,4")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--save", action="store_true", help="also write a JSON file")
    args = parser.parse_args(argv)
    count = 60 if args.quick else args.count
    rows: list[dict[str, Any]] = []
    with backend() as base:
        settings, _ = fresh_tables(base, "bp")
        measure(settings, 1, True, 60, "PW")  # warm the JVM a little
        for procs in (int(p) for p in args.procs.split(",")):
            for adopt in (False, True):
                tag = f"P{procs}{'a' if adopt else 'r'}"
                rows.append(measure(settings, procs, adopt, count, tag))
    report(rows)
    results = {"rows": rows, "adopt_over_reread": _ratios(rows)}
    if args.save:
        print(f"results: {save({'processes': results}, 'processes')}")
    return results


def _ratios(rows: list[dict[str, Any]]) -> dict[str, float]:
    by = {(r["processes"], r["adopt_heads"]): r for r in rows}
    return {
        f"{p} processes": ratio(by[p, True]["txns_per_s"], by[p, False]["txns_per_s"])
        for p, adopt in by
        if adopt and (p, False) in by
    }


def report(rows: list[dict[str, Any]]) -> None:
    print_table(
        f"one hot account, N processes x {WORKERS} workers (adopt = loser takes winner's head)",
        ["processes / mode", "txns", "txns/s", "p50 ms", "p99 ms", "lost/txn", "txns/group"],
        [
            [
                f"{r['processes']} x {'adopt' if r['adopt_heads'] else 're-read'}",
                r["txns"],
                r["txns_per_s"],
                r["p50_ms"],
                r["p99_ms"],
                r["lost_races_per_txn"],
                r["txns_per_group"],
            ]
            for r in rows
        ],
    )


if __name__ == "__main__":
    main(["--save", *sys.argv[1:]])
