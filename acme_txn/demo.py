"""The demo job: tables, accounts, a concurrent mixed workload, then the invariants checked."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from acme_txn.invariants import LedgerCheck, check_log
from acme_txn.settings import Settings
from acme_txn.tables import ensure_tables
from acme_txn.workload import WorkloadSpec, funding_commands, mixed_commands, opening_commands
from processor.outcomes import Outcome
from processor.service import Ledger
from processor.store import EventStore


@dataclass
class DemoReport:
    statuses: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    commands: int = 0
    ledger: LedgerCheck | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        assert self.ledger is not None
        return {
            "commands": self.commands, "seconds": round(self.seconds, 2),
            "commands_per_second": round(self.commands / self.seconds, 1) if self.seconds else 0,
            "outcomes": dict(self.statuses), "accounts": self.ledger.accounts,
            "events": self.ledger.events, "invariants_ok": self.ledger.ok,
            "invariants_checked": self.ledger.checked, "problems": self.ledger.problems,
            **self.extra,
        }


def run_workload(client: Any, settings: Settings, spec: WorkloadSpec,
                 workers: int = 8) -> DemoReport:
    ensure_tables(client, settings)
    ledger = Ledger(EventStore(client, settings.ledger_table))
    report = DemoReport()
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes += pool.map(ledger.submit_raw, opening_commands(spec))
        outcomes += pool.map(ledger.submit_raw, funding_commands(spec))
        started = time.perf_counter()
        mixed = list(pool.map(ledger.submit_raw, mixed_commands(spec)))
        report.seconds = time.perf_counter() - started
    outcomes += mixed
    report.commands = len(mixed)
    report.statuses.update(o.status for o in mixed)
    report.ledger = check_log(ledger.store.all_events(), outcomes)
    unexpected = [o for o in outcomes if o.status in {"rejected", "failed"}]
    report.ledger.problems += [f"{o.txn_id}: {o.status}: {o.error}" for o in unexpected]
    project_and_reconcile(client, settings, report, spec.seed)
    return report


def project_and_reconcile(client: Any, settings: Settings, report: DemoReport,
                          seed: int) -> None:
    """Drain the stream into the read models (the streams poller if present), redeliver a
    shuffled ~10% of the events as duplicates, and reconcile the models with the event log.
    Without the poller, every event is delivered in shuffled batches of 100 with duplicates."""
    import random

    from projections.projector import ProjectionResult, Projector
    from projections.reconcile import reconcile

    events = list(EventStore(client, settings.ledger_table).all_events())
    rng = random.Random(seed)
    drained = _drain_stream(client, settings)
    delivered = rng.sample(events, len(events) // 10) + ([] if drained else events)
    rng.shuffle(delivered)
    projector, total = Projector(client, settings), ProjectionResult()
    started = time.perf_counter()
    for i in range(0, len(delivered), 100):
        total = total.merge(projector.project(delivered[i:i + 100]))
    seconds = time.perf_counter() - started
    report.extra["projection"] = {
        "stream_drain": drained or "no streams poller: direct delivery",
        "redelivered_records": len(delivered), "events_applied": total.events_applied,
        "duplicates_skipped": total.duplicates_skipped, "gaps_healed": total.gaps_healed,
        "transactions": total.transactions, "failed": len(total.failed),
        "events_per_second": round(total.events_applied / seconds, 1) if seconds else 0}
    result = reconcile(client, settings)
    report.extra["reconciliation"] = {
        "ok": result.ok, "accounts_checked": result.accounts_checked,
        "days_checked": result.days_checked, "declined_checked": result.declined_checked,
        "mismatches": [m.as_dict() for m in result.mismatches]}
    assert report.ledger is not None
    report.ledger.checked.append("read models (balances, daily totals, declined index) "
                                 "reconcile with the event log")
    report.ledger.problems += [f"reconcile: {m.line()}" for m in result.mismatches]


def render(report: DemoReport) -> str:
    data = report.to_json()
    lines = [
        f"Workload: {data['commands']} commands in {data['seconds']} s "
        f"({data['commands_per_second']} commands/s, 8 workers)",
        "Outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(data["outcomes"].items())),
        f"Event log: {data['events']} events in {data['accounts']} accounts",
        "Invariants:",
    ]
    assert report.ledger is not None
    lines += [f"  [ok] {c}" for c in report.ledger.checked] if report.ledger.ok else []
    lines += [f"  [FAIL] {p}" for p in report.ledger.problems]
    for key, value in report.extra.items():
        lines.append(f"{key}: {value}")
    lines.append("RESULT: " + ("all invariants hold" if report.ledger.ok else "VIOLATIONS"))
    return "\n".join(lines)


def _drain_stream(client: Any, settings: Settings) -> dict[str, Any] | None:
    """Run the streams poller (Lambda ESM semantics) until the stream is drained."""
    try:
        from acme_txn.aws import streams_client
        from streams.config import EsmConfig
        from streams.filters import EVENTS_ONLY, FilterCriteria
        from streams.handlers import CountingMetrics, StreamHandler, projector_sink
        from streams.poller import Poller
        from streams.shards import DynamoDBShardSource
    except ImportError:
        return None
    handler = StreamHandler(projector_sink(client, settings), CountingMetrics())
    source = DynamoDBShardSource(client, streams_client(settings), settings.ledger_table)
    cfg = EsmConfig(filters=FilterCriteria([EVENTS_ONLY]), max_retry_attempts=5,
                    bisect_on_error=True)
    started = time.perf_counter()
    result = Poller(source, handler, client, settings.streams_table, cfg).run(
        until_idle=True, max_seconds=300)
    return {**result.as_dict(), "seconds": round(time.perf_counter() - started, 2)}
