"""Ours versus the seed's iteration-11 write, side by side on one backend.

Run: ``python -m bench.bench_seed [--count N] [--rounds R] [--warm W] [--quick]`` (or
``./run bench --only seed``). Identical preconditions for both designs: a fresh table each
(the same ``acme_base.tables`` definitions, another prefix for the seed), the same data on
the server before anything is timed (each design's accounts of both workloads), and both
tables warmed equally (``--warm`` credits of each design into its own table, alternating
blocks), because DynamoDB Local's first few hundred transactions into a new table are slow
(the cold-table probe at the end measures that in the same run). Then 8 submitter threads,
credits over many accounts, then on one hot account, in rounds that alternate which design
goes first (A-B, B-A, ...). Reported per design: the median round's txns/s, p50/p99 latency,
retries (lost races) per txn; ours over the seed per round, their median and spread, and the
load average before and after. Target: the hot account at >= 5x the seed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from acme_base.settings import Settings
from acme_txn.bootstrap import bootstrap
from acme_txn.workload import WorkloadSpec, customer_commands, opening_commands
from bench import seed_write
from bench.common import backend, fresh_tables
from bench.results import latency_ms, print_table, ratio, save
from processor.services.ledger import Ledger

WORKERS = 8
QUICK_ARGV = ["--quick"]


@dataclass
class Run:
    """One design on one workload: per-command latencies and lost races."""

    design: str
    workload: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    retries: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def add(self, other: Run) -> None:
        self.seconds += other.seconds
        self.latencies += other.latencies
        self.retries += other.retries

    def summary(self) -> dict[str, Any]:
        n = max(len(self.latencies), 1)
        return {
            "txns": len(self.latencies),
            "txns_per_s": round(self.rate, 1),
            **latency_ms(self.latencies),
            "retries_per_txn": round(self.retries / n, 3),
        }


def _timed(run: Run, fn: Callable[[int], int], count: int) -> Run:
    """``fn(n)`` returns the retries of command n; timings kept per command."""

    def one(n: int) -> tuple[float, int]:
        started = time.perf_counter()
        retries = fn(n)
        return time.perf_counter() - started, retries

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        done = list(pool.map(one, range(count)))
    run.seconds = time.perf_counter() - started
    run.latencies = [d for d, _ in done]
    run.retries = sum(r for _, r in done)
    return run


def seed_run(client: Any, table: str, accounts: Sequence[str], tag: str, count: int) -> Run:
    def one(n: int) -> int:
        account = accounts[n % len(accounts)]
        result = seed_write.submit(client, table, ("C1", account), f"{tag}-{n}", 100)
        assert result.status == "approved", result
        return result.retries

    return _timed(Run("seed", tag), one, count)


def ours_run(ledger: Ledger, accounts: Sequence[str], tag: str, count: int) -> Run:
    """Lost races are the ledger's own count (``stats["retries"]``), taken by the caller."""

    def one(n: int) -> int:
        cmd = {"type": "credit", "txn_id": f"{tag}-{n}", "account_id": accounts[n % len(accounts)]}
        outcome = ledger.submit_raw({**cmd, "amount": "1.00"})
        assert outcome.status == "approved", outcome
        return 0

    return _timed(Run("ours", tag), one, count)


def _ours_setup(settings: Settings, client: Any, spec: WorkloadSpec) -> tuple[Ledger, list[str]]:
    ledger = bootstrap(settings, dynamodb=client).new_ledger()
    for cmd in customer_commands(spec) + opening_commands(spec):
        ledger.submit_raw(cmd)
    return ledger, [c["account_id"] for c in opening_commands(spec)]


def _seed_setup(client: Any, table: str, prefix: str, n: int) -> list[str]:
    accounts = [f"{prefix}{i:04d}" for i in range(n)]
    for account in accounts:
        seed_write.open_account(client, table, "C1", account, 0)
    return accounts


def _setup_both(
    ours_settings: Settings, seed_table: str, client: Any, many: int
) -> tuple[Ledger, dict[str, list[str]], dict[str, list[str]]]:
    """The same data on the server for both designs before anything is timed: each design's
    accounts of both workloads (``M`` many, ``H`` one hot) in its own fresh table."""
    ledger = bootstrap(ours_settings, dynamodb=client).new_ledger()
    ours: dict[str, list[str]] = {}
    seed: dict[str, list[str]] = {}
    for workload, n_accounts in (("many accounts", many), ("one hot account", 1)):
        prefix = "H" if n_accounts == 1 else "M"
        spec = WorkloadSpec(accounts=n_accounts, prefix=prefix)
        for cmd in customer_commands(spec) + opening_commands(spec):
            ledger.submit_raw(cmd)
        ours[workload] = [c["account_id"] for c in opening_commands(spec)]
        seed[workload] = _seed_setup(client, seed_table, prefix, n_accounts)
    return ledger, ours, seed


def _warm_both(
    ledger: Ledger,
    seed_table: str,
    client: Any,
    accounts: tuple[dict[str, list[str]], dict[str, list[str]]],
    commands: int,
) -> None:
    """Warm BOTH tables equally: ``commands`` credits of each design into its own table (on
    its many-accounts workload), in alternating blocks of 100, so neither design meets a cold
    table (DynamoDB Local's first few hundred transactions into a new table are slow)."""
    ours, seed = accounts
    for block in range(max(1, commands // 100)):
        tag = f"W{block}"
        designs = ("seed", "ours") if block % 2 == 0 else ("ours", "seed")
        for design in designs:
            if design == "seed":
                seed_run(client, seed_table, seed["many accounts"], tag, 100)
            else:
                ours_run(ledger, ours["many accounts"], tag, 100)


def compare(base: Settings, count: int, rounds: int, many: int, warm: int) -> dict[str, Any]:
    """Fresh tables each, the same data on the server, both warmed equally, then rounds that
    alternate which design goes first (A-B, B-A, ...); per round one rate per design."""
    ours_settings, client = fresh_tables(base, "bo")
    seed_settings, _ = fresh_tables(base, "bs")
    seed_table = seed_settings.ledger_table
    ledger, ours_accounts, seed_accounts = _setup_both(ours_settings, seed_table, client, many)
    load_before = os.getloadavg()[0]
    _warm_both(ledger, seed_table, client, (ours_accounts, seed_accounts), warm)
    results: dict[str, Any] = {}
    for workload in ("many accounts", "one hot account"):
        prefix = "H" if workload == "one hot account" else "M"
        seed_rounds: list[Run] = []
        ours_rounds: list[Run] = []
        for r in range(rounds):
            tag = f"{prefix}{r}"
            order = ("seed", "ours") if r % 2 == 0 else ("ours", "seed")
            for design in order:
                if design == "seed":
                    seed_rounds.append(
                        seed_run(client, seed_table, seed_accounts[workload], tag, count)
                    )
                else:
                    before = ledger.stats["retries"]
                    run = ours_run(ledger, ours_accounts[workload], tag, count)
                    run.retries = ledger.stats["retries"] - before
                    ours_rounds.append(run)
        results[workload] = _side_by_side(seed_rounds, ours_rounds, ledger.stats.get("groups", 0))
    results["load_avg_1min"] = {"before": load_before, "after": os.getloadavg()[0]}
    return results


def cold_table_probe(base: Settings, accounts: int, blocks: int) -> list[float]:
    """Our many-accounts credits on a table created now, on the already warm server: the
    rate of each consecutive block of 100 (the cold-table effect, measured in the same run)."""
    settings, client = fresh_tables(base, "bc")
    ledger = bootstrap(settings, dynamodb=client).new_ledger()
    spec = WorkloadSpec(accounts=accounts, prefix="C")
    for cmd in customer_commands(spec) + opening_commands(spec):
        ledger.submit_raw(cmd)
    names = [c["account_id"] for c in opening_commands(spec)]
    return [round(ours_run(ledger, names, f"C{b}", 100).rate, 1) for b in range(blocks)]


def _side_by_side(seed: list[Run], ours: list[Run], groups: int) -> dict[str, Any]:
    """Per design the median round and the pooled latencies; the ratio per round, its median
    and its spread (min..max)."""
    seed_total, ours_total = Run("seed", ""), Run("ours", "")
    for run in seed:
        seed_total.add(run)
    for run in ours:
        ours_total.add(run)
    s, o = seed_total.summary(), ours_total.summary()
    s["txns_per_s"] = round(statistics.median(r.rate for r in seed), 1)
    o["txns_per_s"] = round(statistics.median(r.rate for r in ours), 1)
    per_round = [ratio(b.rate, a.rate) for a, b in zip(seed, ours, strict=True)]
    return {
        "seed": {**s, "rounds": [round(r.rate, 1) for r in seed]},
        "ours": {**o, "rounds": [round(r.rate, 1) for r in ours], "group_commits": groups},
        "ours_over_seed": {
            "throughput": ratio(o["txns_per_s"], s["txns_per_s"]),
            "per_round": per_round,
            "median": round(statistics.median(per_round), 2),
            "spread": [min(per_round), max(per_round)],
            "p50": ratio(o["p50_ms"], s["p50_ms"]),
            "p99": ratio(o["p99_ms"], s["p99_ms"]),
        },
    }


def report(results: dict[str, Any]) -> None:
    rows = []
    for workload in ("many accounts", "one hot account"):
        r = results[workload]
        for design in ("seed", "ours"):
            d = r[design]
            rows.append(
                [
                    f"{workload}: {design}",
                    d["txns"],
                    d["txns_per_s"],
                    d["p50_ms"],
                    d["p99_ms"],
                    d["retries_per_txn"],
                ]
            )
        x = r["ours_over_seed"]
        rows.append([f"{workload}: ours / seed", "", x["throughput"], x["p50"], x["p99"], ""])
        spread = f"{x['spread'][0]}-{x['spread'][1]}"
        rows.append([f"{workload}: per round {x['per_round']}", "", spread, "", "", ""])
    load = results["load_avg_1min"]
    print_table(
        f"ours vs the seed's iteration-11 write ({WORKERS} submitters; median of rounds; "
        f"load {load['before']:.1f}-{load['after']:.1f})",
        ["what", "txns", "txns/s", "p50 ms", "p99 ms", "retries/txn"],
        rows,
    )
    if "cold_table_blocks" in results:
        print(f"ours on a table created after the warm-up, per 100: {results['cold_table_blocks']}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=400, help="commands per design per round")
    parser.add_argument("--rounds", type=int, default=4, help="alternating A-B, B-A, ...")
    parser.add_argument("--warm", type=int, default=600, help="warm-up credits per table")
    parser.add_argument("--accounts", type=int, default=200, help="the many-accounts workload")
    parser.add_argument("--quick", action="store_true", help="a short check that it works")
    parser.add_argument("--save", action="store_true", help="also write a JSON file")
    args = parser.parse_args(argv)
    count, rounds, warm = (80, 2, 100) if args.quick else (args.count, args.rounds, args.warm)
    with backend() as base:
        results = compare(base, count, rounds, args.accounts, warm)
        if not args.quick:
            results["cold_table_blocks"] = cold_table_probe(base, args.accounts, 4)
    report(results)
    if args.save:
        print(f"results: {save({'seed': results}, 'seed')}")
    return results


if __name__ == "__main__":
    main(["--save", *sys.argv[1:]])
