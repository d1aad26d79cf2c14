"""Many accounts per round trip: the ledger beside the server's own ceiling and floor.

Run: ``python -m bench.bench_batch [--count N] [--others M] [--rounds R] [--quick]`` (or
``./run bench --only batch``). Everything on one DynamoDB Local, one ledger table (warmed
first: a new table's first few hundred transactions are slow there), in one run, each
measurement once per round with the order reversed every other round:

- **floor**: raw two-item ``TransactWriteItems`` (one credit's event + idempotency record,
  the ledger's own item shapes), 8 threads: what one command per round trip gets;
- **ceiling**: raw 50-item (25 commands) and 100-item (50 commands) transactions of the same
  shapes, 8 threads: what the server does with many commands per round trip;
- **submit**: ``acme-txn submit``'s path (``ordered_map`` over ``Ledger.submit_raw``,
  ``--workers 64``) of ``--count`` credits over 1,000 accounts, cross-account batching on and
  off (``Ledger.batch_writers=0``);
- **8 submitters**: 8 threads calling ``submit_raw`` over the same accounts, batching on and off.

Reported: commands/s (median of the rounds), p50/p99 per command (per transaction for the raw
ones), each as a ratio to the floor and the ceiling, and the load average around the run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from acme_base.aws import transact_write
from acme_base.settings import Settings
from acme_txn.bootstrap import bootstrap
from acme_txn.workload import WorkloadSpec, customer_commands, opening_commands
from bench.common import backend, fresh_tables
from bench.results import latency_ms, print_table, ratio, save
from processor.domain.events import FundsCredited
from processor.domain.outcomes import Outcome, outcome_of
from processor.services.ledger import Ledger
from processor.services.ordering import keys_of, ordered_map
from processor.storage.append_batch import AppendRequest
from processor.storage.ports import IdempotencyRecord
from processor.storage.store import DynamoEventStore

WORKERS = 8
SUBMIT_WORKERS = 64
ACCOUNTS = 1000
QUICK_ARGV = ["--quick"]


@dataclass
class Measured:
    """One measurement: commands written, seconds, and latencies (per command or txn)."""

    label: str
    commands: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.commands / self.seconds if self.seconds else 0.0


def _timed(label: str, fn: Callable[[int], object], n: int, workers: int, per: int) -> Measured:
    """``fn(i)`` for i < n on ``workers`` threads; each call writes ``per`` commands."""
    latencies: list[float] = []

    def one(i: int) -> None:
        started = time.perf_counter()
        fn(i)
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, range(n)))
    return Measured(label, n * per, time.perf_counter() - started, latencies)


def credit_request(account: str, txn_id: str) -> AppendRequest:
    """A credit's append exactly as the ledger shapes it (event + idempotency record)."""
    event = FundsCredited(
        account_id=account,
        seq=1,
        txn_id=txn_id,
        currency="USD",
        amount=100,
        balance_after=100,
        occurred_at=datetime.now(UTC),
    )
    record = IdempotencyRecord(txn_id, f"fp-{txn_id}", outcome_of([event]))
    return AppendRequest((event,), (record,))


def raw(store: DynamoEventStore, tag: str, per_txn: int, commands: int) -> Measured:
    """Raw transactions of ``per_txn`` credits each (2 items per credit), 8 threads."""
    now = datetime.now(UTC).isoformat()

    def txn(i: int) -> None:
        requests = [credit_request(f"R{tag}{i}-{j}", f"{tag}-{i}-{j}") for j in range(per_txn)]
        actions = [a for r in requests for a in store._actions(r, now)]
        transact_write(store.client, actions, "bench: raw transaction")

    label = f"raw {2 * per_txn}-item transactions ({per_txn} credits each)"
    return _timed(label, txn, max(1, commands // per_txn), WORKERS, per_txn)


def credits(tag: str, accounts: Sequence[str], n: int) -> list[str]:
    return [
        json.dumps(
            {
                "type": "credit",
                "txn_id": f"{tag}-{i}",
                "account_id": accounts[i % len(accounts)],
                "amount": "1.00",
            }
        )
        for i in range(n)
    ]


def submit(ledger: Ledger, lines: list[str], label: str) -> Measured:
    """``acme-txn submit --workers 64``'s loop; latency per command."""
    latencies: list[float] = []

    def one(line: str) -> Outcome:
        started = time.perf_counter()
        outcome = ledger.submit_raw(line)
        latencies.append(time.perf_counter() - started)
        return outcome

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=SUBMIT_WORKERS) as pool:
        outcomes = list(ordered_map(pool, one, lines, keys_of))
    seconds = time.perf_counter() - started
    wrong = [o for o in outcomes if o.status != "approved"]
    assert not wrong, (len(wrong), wrong[:2])
    return Measured(label, len(lines), seconds, latencies)


def submitters(ledger: Ledger, lines: list[str], label: str) -> Measured:
    """8 threads, each command on its own (any multi-threaded caller)."""

    def one(i: int) -> None:
        outcome = ledger.submit_raw(lines[i])
        assert outcome.status == "approved", outcome

    return _timed(label, one, len(lines), WORKERS, 1)


@dataclass
class Setup:
    store: DynamoEventStore
    batched: Ledger
    plain: Ledger
    accounts: dict[str, list[str]]  # each ledger its own 1,000 (no races between them)


def setup(base: Settings, writers: int = 2) -> Setup:
    """One ledger table with 1,000 opened accounts per ledger, warmed with 600 raw
    transactions."""
    settings, client = fresh_tables(base, "bb")
    app = bootstrap(settings, dynamodb=client)
    ledger = app.new_ledger()
    accounts: dict[str, list[str]] = {}
    for prefix in ("B", "P"):
        spec = WorkloadSpec(accounts=ACCOUNTS, prefix=prefix)
        with ThreadPoolExecutor(max_workers=SUBMIT_WORKERS) as pool:
            list(pool.map(ledger.submit_raw, customer_commands(spec)))
            opened = list(pool.map(ledger.submit_raw, opening_commands(spec)))
        assert all(o.status == "opened" for o in opened), [
            o for o in opened if o.status != "opened"
        ][:2]
        accounts[prefix] = [c["account_id"] for c in opening_commands(spec)]
    store = app.event_store
    assert isinstance(store, DynamoEventStore)
    raw(store, "warm", 1, 600)
    plain = dataclasses.replace(app.new_ledger(), batch_writers=0)  # one append per txn
    batched = dataclasses.replace(app.new_ledger(), batch_writers=writers)
    return Setup(store, batched, plain, accounts)


def one_round(s: Setup, r: int, count: int, others: int) -> list[Measured]:
    on, off = s.accounts["B"], s.accounts["P"]
    steps: list[Callable[[], Measured]] = [
        lambda: raw(s.store, f"f{r}", 1, others),
        lambda: raw(s.store, f"c{r}", 25, others * 2),
        lambda: raw(s.store, f"d{r}", 50, others * 2),
        lambda: submit(s.batched, credits(f"sb{r}", on, count), "submit, batched"),
        lambda: submit(s.plain, credits(f"sp{r}", off, count), "submit, one per txn"),
        lambda: submitters(s.batched, credits(f"tb{r}", on, others), "8 threads, batched"),
        lambda: submitters(s.plain, credits(f"tp{r}", off, others), "8 threads, one per txn"),
    ]
    ordered = steps if r % 2 == 0 else steps[::-1]
    done = {id(step): step() for step in ordered}
    return [done[id(step)] for step in steps]


def summarize(rounds: list[list[Measured]], batch_stats: dict[str, int]) -> dict[str, Any]:
    by_label: dict[str, list[Measured]] = {}
    for measured in (m for r in rounds for m in r):
        by_label.setdefault(measured.label, []).append(measured)
    rates = {k: statistics.median(m.rate for m in v) for k, v in by_label.items()}
    floor = rates["raw 2-item transactions (1 credits each)"]
    ceiling = rates["raw 50-item transactions (25 credits each)"]
    out: dict[str, Any] = {}
    for label, runs in by_label.items():
        out[label] = {
            "commands_per_s": round(rates[label], 1),
            "rounds": [round(m.rate, 1) for m in runs],
            "x_floor": ratio(rates[label], floor),
            "x_ceiling_50": ratio(rates[label], ceiling),
            **latency_ms([x for m in runs for x in m.latencies]),
        }
    requests = batch_stats.get("requests", 0)
    transactions = max(batch_stats.get("transactions", 0), 1)
    out["batching"] = {**batch_stats, "appends_per_transaction": round(requests / transactions, 1)}
    return out


def report(results: dict[str, Any]) -> None:
    rows = [
        [label, r["commands_per_s"], r["x_floor"], r["x_ceiling_50"], r["p50_ms"], r["p99_ms"]]
        for label, r in results.items()
        if isinstance(r, dict) and "commands_per_s" in r
    ]
    load = results["load_avg_1min"]
    print_table(
        f"many accounts per round trip (median of rounds; load {load[0]:.1f}-{load[1]:.1f})",
        ["what", "cmds/s", "x floor", "x ceiling(50)", "p50 ms", "p99 ms"],
        rows,
    )
    print(f"batched ledger: {results['batching']}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20_000, help="credits per submit run")
    parser.add_argument("--others", type=int, default=2_000, help="commands per other run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--writers", type=int, default=2, help="batched transactions in flight")
    parser.add_argument("--quick", action="store_true", help="a short check that it works")
    parser.add_argument("--save", action="store_true", help="also write a JSON file")
    args = parser.parse_args(argv)
    count, others, rounds = (300, 200, 1) if args.quick else (args.count, args.others, args.rounds)
    load_before = os.getloadavg()[0]
    with backend() as base:
        s = setup(base, args.writers)
        stats: dict[str, int] = getattr(s.batched._appender.store, "stats", {})
        before = dict(stats)
        rounds_done = [one_round(s, r, count, others) for r in range(rounds)]
    delta = {k: v - before.get(k, 0) for k, v in stats.items()}
    results = summarize(rounds_done, delta)
    results["load_avg_1min"] = [load_before, os.getloadavg()[0]]
    results["writers"] = args.writers
    report(results)
    if args.save:
        print(f"results: {save({'batch': results}, 'batch')}")
    return results


if __name__ == "__main__":
    main(["--save", *sys.argv[1:]])
