"""Projection throughput and write cost: coalesced (one transaction per account per batch)
versus one transaction per record, side by side on the same backend and the same events.

Run: ``.venv/bin/python -m bench.bench_projections [--accounts N] [--commands N]``.
"units" is the consumed capacity the backend reports (``ReturnConsumedCapacity``). DynamoDB
Local answers one total per transaction that does not grow with the items in it (measured:
2.0 for a transaction of 1, 2, 3 or 5 small items; +1 when an item lands in a GSI), so it
rewards coalescing more than AWS would. "AWS WCU" therefore also converts the items actually
written to AWS billing: 2 WCU per transactional item write of up to 1 KB, plus 1 WCU per
write into the sparse declined GSI.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from acme_base.settings import Settings
from acme_txn.bootstrap import Options, bootstrap
from acme_txn.workload import (
    WorkloadSpec,
    customer_commands,
    funding_commands,
    mixed_commands,
    opening_commands,
)
from bench.common import backend, fresh_tables
from processor.domain.events import LedgerEvent
from projections.config import ProjectorConfig
from projections.projector import ProjectionResult
from projections.reconcile import reconcile_events


@dataclass
class Measured:
    label: str
    events: int
    seconds: float
    result: ProjectionResult
    ok: bool
    declined: int

    @property
    def aws_wcu(self) -> int:
        return 2 * self.result.items_written + self.declined

    def row(self) -> str:
        r = self.result
        rate = self.events / self.seconds if self.seconds else 0.0
        return (
            f"{self.label:<34} {self.events:>6} {rate:>9.1f} {r.transactions:>6} "
            f"{r.items_written:>6} {r.write_units:>8.0f} "
            f"{r.items_written / self.events:>8.2f} {r.write_units / self.events:>8.2f} "
            f"{self.aws_wcu / self.events:>10.2f} "
            f"{'ok' if self.ok else 'MISMATCH':>9}"
        )


HEADER = (
    f"{'mode':<34} {'events':>6} {'events/s':>9} {'txns':>6} {'items':>6} "
    f"{'units':>8} {'items/ev':>8} {'units/ev':>8} {'AWS WCU/ev':>10} {'reconcile':>9}"
)


def make_log(settings: Settings, client: Any, spec: WorkloadSpec) -> list[LedgerEvent]:
    ledger = bootstrap(settings, dynamodb=client).ledger
    with ThreadPoolExecutor(max_workers=8) as pool:
        phases = (customer_commands(spec), opening_commands(spec), funding_commands(spec))
        for commands in (*phases, mixed_commands(spec)):
            list(pool.map(ledger.submit_raw, commands))
    return list(ledger.store.all_events())


def stream_order(events: Sequence[LedgerEvent], seed: int) -> list[LedgerEvent]:
    """Accounts interleaved at random, each account's events in seq order (like a stream)."""
    queues: dict[str, list[LedgerEvent]] = defaultdict(list)
    for event in sorted(events, key=lambda e: (e.account_id, e.seq)):
        queues[event.account_id].append(event)
    rng = random.Random(seed)
    tickets = [a for a, q in queues.items() for _ in q]
    rng.shuffle(tickets)
    return [queues[a].pop(0) for a in tickets]


def measure(
    label: str,
    base: Settings,
    ledger_settings: Settings,
    events: Sequence[LedgerEvent],
    batch: int,
    *,
    coalesce: bool,
    workers: int = 1,
) -> Measured:
    views_settings, client = fresh_tables(base, "bv")
    ledger_store = bootstrap(ledger_settings, dynamodb=client).event_store
    options = Options(projector=ProjectorConfig(coalesce=coalesce, workers=workers))
    app = bootstrap(views_settings, options, dynamodb=client, event_store=ledger_store)
    projector = app.projector
    total = ProjectionResult()
    started = time.perf_counter()
    for i in range(0, len(events), batch):
        total = total.merge(projector.project(events[i : i + batch]))
    seconds = time.perf_counter() - started
    ok = reconcile_events(events, app.views).ok
    declined = sum(1 for e in events if not e.approved)
    return Measured(label, len(events), seconds, total, ok and not total.failed, declined)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--commands", type=int, default=600)
    parser.add_argument("--batch", type=int, default=100, help="records per delivered batch")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    spec = WorkloadSpec(accounts=args.accounts, commands=args.commands, seed=3)
    with backend() as base:
        ledger_settings, client = fresh_tables(base, "bl")
        print(
            f"writing the event log: {spec.accounts} accounts, {spec.commands} commands...",
            flush=True,
        )
        events = stream_order(make_log(ledger_settings, client, spec), seed=5)
        days = len({e.txn_date for e in events})
        print(
            f"{len(events)} events, {days} days, batches of {args.batch}; warming up...", flush=True
        )
        measure("warm-up", base, ledger_settings, events, args.batch, coalesce=False)
        runs: list[Measured] = []
        for n in range(args.rounds):  # alternate, so JVM warm-up favours neither mode
            runs.append(
                measure(
                    f"per record (round {n + 1})",
                    base,
                    ledger_settings,
                    events,
                    args.batch,
                    coalesce=False,
                )
            )
            runs.append(
                measure(
                    f"coalesced (round {n + 1})",
                    base,
                    ledger_settings,
                    events,
                    args.batch,
                    coalesce=True,
                )
            )
            runs.append(
                measure(
                    f"coalesced, 4 threads (round {n + 1})",
                    base,
                    ledger_settings,
                    events,
                    args.batch,
                    coalesce=True,
                    workers=4,
                )
            )
    print("\n== projections: coalesced vs one transaction per record")
    print(HEADER)
    for run in runs:
        print(run.row())
    per_record = [r for r in runs if r.label.startswith("per record")][-1]
    coalesced = [r for r in runs if r.label.startswith("coalesced (")][-1]
    speedup = (coalesced.events / coalesced.seconds) / (per_record.events / per_record.seconds)
    print(
        f"\nlast round: coalesced projects {speedup:.1f}x the events/s and writes "
        f"{per_record.result.items_written / coalesced.result.items_written:.1f}x fewer items"
        f" ({coalesced.result.items_written / coalesced.events:.2f} vs "
        f"{per_record.result.items_written / per_record.events:.2f} per event); reported "
        f"units {coalesced.result.write_units / coalesced.events:.2f} vs "
        f"{per_record.result.write_units / per_record.events:.2f} per event; AWS WCU "
        f"{coalesced.aws_wcu / coalesced.events:.2f} vs "
        f"{per_record.aws_wcu / per_record.events:.2f} per event"
    )


if __name__ == "__main__":
    main()
