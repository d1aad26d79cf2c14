"""Ours versus the seed's iteration-11 write, side by side on one backend (issue 14, item 1).

Run: ``python -m bench.bench_seed [--count N] [--rounds R] [--quick]``. Both designs write to
tables of the same shape (``acme_base.tables`` definitions, another prefix for the seed), with
8 submitter threads: credits over many accounts, then credits on one hot account. Rounds
alternate which design goes first, so the JVM's warm-up and the machine's other load favour
neither. Reported per design: approved txns/s, p50/p99 latency, retries (lost races) per
txn; and ours as a ratio to the seed. Target: the hot account at >= 5x the seed.
"""

from __future__ import annotations

import argparse
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
from bench.common import backend, fresh_tables, warm_up
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


def compare(base: Settings, count: int, rounds: int, many: int) -> dict[str, Any]:
    ours_settings, client = fresh_tables(base, "bo")
    seed_settings, _ = fresh_tables(base, "bs")
    seed_table = seed_settings.ledger_table
    warm_up(
        3.0 if count < 300 else 15.0,
        lambda n: seed_write.open_account(client, seed_table, "W", f"W{n}", 0),
    )
    results: dict[str, Any] = {}
    for workload, n_accounts in (("many accounts", many), ("one hot account", 1)):
        prefix = "H" if n_accounts == 1 else "M"
        ledger, ours_accounts = _ours_setup(
            ours_settings, client, WorkloadSpec(accounts=n_accounts, prefix=prefix)
        )
        seed_accounts = _seed_setup(client, seed_table, prefix, n_accounts)
        seed_total, ours_total = Run("seed", workload), Run("ours", workload)
        ledger.stats["retries"] = 0
        for r in range(rounds):
            tag = f"{prefix}{r}"
            order = ("seed", "ours") if r % 2 == 0 else ("ours", "seed")
            for design in order:
                if design == "seed":
                    seed_total.add(seed_run(client, seed_table, seed_accounts, tag, count))
                else:
                    ours_total.add(ours_run(ledger, ours_accounts, tag, count))
        ours_total.retries = ledger.stats["retries"]
        results[workload] = _side_by_side(seed_total, ours_total, ledger.stats.get("groups", 0))
    return results


def _side_by_side(seed: Run, ours: Run, groups: int) -> dict[str, Any]:
    s, o = seed.summary(), ours.summary()
    return {
        "seed": s,
        "ours": {**o, "group_commits": groups},
        "ours_over_seed": {
            "throughput": ratio(o["txns_per_s"], s["txns_per_s"]),
            "p50": ratio(o["p50_ms"], s["p50_ms"]),
            "p99": ratio(o["p99_ms"], s["p99_ms"]),
            "retries_per_txn": ratio(o["retries_per_txn"], s["retries_per_txn"]),
        },
    }


def report(results: dict[str, Any]) -> None:
    rows = []
    for workload, r in results.items():
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
    print_table(
        f"ours vs the seed's iteration-11 write ({WORKERS} submitters)",
        ["what", "txns", "txns/s", "p50 ms", "p99 ms", "retries/txn"],
        rows,
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=400, help="commands per design per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--accounts", type=int, default=200, help="the many-accounts workload")
    parser.add_argument("--quick", action="store_true", help="a short check that it works")
    parser.add_argument("--save", action="store_true", help="also write a JSON file")
    args = parser.parse_args(argv)
    count, rounds = (80, 2) if args.quick else (args.count, args.rounds)
    with backend() as base:
        results = compare(base, count, rounds, args.accounts)
    report(results)
    if args.save:
        print(f"results: {save({'seed': results}, 'seed')}")
    return results


if __name__ == "__main__":
    main(["--save", *sys.argv[1:]])
