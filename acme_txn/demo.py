"""The demo job: tables, accounts, a concurrent mixed workload, then the invariants checked."""

from __future__ import annotations

import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from acme_txn.bootstrap import App
from acme_txn.invariants import LedgerCheck, check_log
from acme_txn.workload import (
    WorkloadSpec,
    block_commands,
    customer_commands,
    funding_commands,
    mixed_commands,
    opening_commands,
    unblock_commands,
)
from processor.domain.events import DeclineReason
from processor.domain.money import format_minor, to_minor
from processor.domain.outcomes import Outcome
from projections.reconcile import reconcile
from projections.reports import daily_report

#: a few accounts in each of these currencies run beside the main (USD) workload
OTHER_CURRENCIES = ("EUR", "JPY")


@dataclass
class DemoReport:
    statuses: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    commands: int = 0
    workers: int = 0
    ledger: LedgerCheck | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        assert self.ledger is not None
        return {
            "commands": self.commands,
            "workers": self.workers,
            "seconds": round(self.seconds, 2),
            "commands_per_second": round(self.commands / self.seconds, 1) if self.seconds else 0,
            "outcomes": dict(self.statuses),
            "accounts": self.ledger.accounts,
            "events": self.ledger.events,
            "invariants_ok": self.ledger.ok,
            "invariants_checked": self.ledger.checked,
            "problems": self.ledger.problems,
            **self.extra,
        }


def run_workload(app: App, spec: WorkloadSpec, workers: int = 8) -> DemoReport:
    app.ensure_tables()
    ledger = app.ledger
    report = DemoReport(workers=workers)
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        customers = list(pool.map(ledger.submit_raw, customer_commands(spec)))
        outcomes += pool.map(ledger.submit_raw, opening_commands(spec))
        outcomes += pool.map(ledger.submit_raw, funding_commands(spec))
        outcomes += pool.map(ledger.submit_raw, block_commands(spec))  # unauthorized declines
        started = time.perf_counter()
        mixed = list(pool.map(ledger.submit_raw, mixed_commands(spec)))
        report.seconds = time.perf_counter() - started
        outcomes += pool.map(ledger.submit_raw, unblock_commands(spec))
        for other in currency_specs(spec):  # not timed, not in the workload's outcomes
            for phase in (opening_commands, funding_commands, mixed_commands):
                outcomes += pool.map(ledger.submit_raw, phase(other))
    outcomes += mixed
    report.commands = len(mixed)
    report.statuses.update(o.status for o in mixed)
    report.ledger = check_log(app.event_store.all_events(), outcomes)
    unexpected = [o for o in outcomes + customers if o.status in {"rejected", "failed"}]
    report.extra["customers_registered"] = sum(o.status == "registered" for o in customers)
    report.ledger.problems += [f"{o.txn_id}: {o.status}: {o.error}" for o in unexpected]
    project_and_reconcile(app, report, spec.seed)
    return report


def project_and_reconcile(app: App, report: DemoReport, seed: int) -> None:
    """Drain the stream into the read models through the local poller (Lambda ESM semantics),
    then redeliver a shuffled ~10% of the events as duplicates (at-least-once delivery), and
    reconcile the read models with the event log."""
    events = list(app.event_store.all_events())
    started = time.perf_counter()
    drained = app.drain(max_seconds=300)
    drain_seconds = time.perf_counter() - started
    rng = random.Random(seed)
    redelivered = rng.sample(events, len(events) // 10)
    rng.shuffle(redelivered)
    again = app.projector.project(redelivered)
    report.extra["projection"] = {
        "delivered": drained.stats.delivered,
        "filtered_non_events": drained.stats.filtered,
        "batches": drained.stats.invocations,
        "dead_lettered": drained.stats.dead_lettered,
        "seconds": round(drain_seconds, 2),
        "redelivered_duplicates": len(redelivered),
        "duplicates_skipped": again.duplicates_skipped,
        "applied_twice": again.events_applied,
    }
    result = reconcile(app.event_store, app.views)
    report.extra["reconciliation"] = {
        "ok": result.ok,
        "accounts_checked": result.accounts_checked,
        "days_checked": result.days_checked,
        "declined_checked": result.declined_checked,
        "mismatches": [m.as_dict() for m in result.mismatches],
    }
    assert report.ledger is not None
    if again.events_applied or drained.stats.dead_lettered:
        report.ledger.problems.append(
            "projection: a duplicate was applied or a record was dead-lettered"
        )
    report.ledger.checked.append("duplicate deliveries are skipped by the projections")
    report.ledger.checked.append(
        "read models (balances, daily totals, declined index) reconcile with the event log"
    )
    report.ledger.problems += [f"reconcile: {m.line()}" for m in result.mismatches]
    report.extra["declined_by_reason"] = declined_by_reason(app, events)
    report.extra["daily_totals_by_currency"] = totals_by_currency(app, events)


def currency_specs(spec: WorkloadSpec) -> list[WorkloadSpec]:
    """Two accounts and a tenth of the commands in each of ``OTHER_CURRENCIES`` (owned by the
    main workload's first customer; their own txn ids and account ids, no blocks)."""
    return [
        replace(
            spec,
            currency=code,
            prefix=code,
            accounts=2,
            commands=max(10, spec.commands // 10),
            seed=spec.seed + 1000 * (i + 1),
            block_ratio=0.0,
        )
        for i, code in enumerate(OTHER_CURRENCIES)
    ]


def totals_by_currency(app: App, events: list[Any]) -> dict[str, dict[str, Any]]:
    """The daily-totals projection over the workload's days, summed per currency (never
    across currencies): what ``acme-txn report daily`` shows, one row per day and currency."""
    dates = sorted({e.txn_date for e in events})
    if not dates:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for row in daily_report(app.views, dates):
        code = row["currency"]
        acc = out.setdefault(code, {"txn_count": 0, "credit_total": 0, "debit_total": 0})
        acc["txn_count"] += row["txn_count"]
        for name in ("credit_total", "debit_total"):
            acc[name] += to_minor(Decimal(row[name]), code)
    return {
        code: {**acc, **{n: format_minor(acc[n], code) for n in ("credit_total", "debit_total")}}
        for code, acc in sorted(out.items())
    }


def declined_by_reason(app: App, events: list[Any]) -> dict[str, int]:
    """The declined index read as #13 does: one query per reason of the enum (seed iter. 6)."""
    dates = sorted({e.txn_date for e in events})
    if not dates:
        return {}
    return {
        r.value: sum(1 for _ in app.views.declined(r.value, dates[0], dates[-1]))
        for r in DeclineReason
    }


def _render_projection(extra: dict[str, Any]) -> list[str]:
    proj, rec = extra.get("projection"), extra.get("reconciliation")
    lines = []
    if proj:
        lines.append(
            f"Projections: {proj['delivered']} events drained from the stream in "
            f"{proj['batches']} batches ({proj['seconds']} s; {proj['filtered_non_events']} "
            f"non-event records filtered, {proj['dead_lettered']} dead-lettered); "
            f"{proj['redelivered_duplicates']} redelivered duplicates: "
            f"{proj['duplicates_skipped']} skipped, {proj['applied_twice']} applied twice"
        )
    if rec:
        lines.append(
            f"Reconciliation: {'ok' if rec['ok'] else 'MISMATCHES'}: "
            f"{rec['accounts_checked']} balances, {rec['days_checked']} (day, currency) totals, "
            f"{rec['declined_checked']} declined txns checked against the event log; "
            f"{len(rec['mismatches'])} mismatches"
        )
    return lines


def render(report: DemoReport) -> str:
    data = report.to_json()
    lines = [
        f"Workload: {data['commands']} commands in {data['seconds']} s "
        f"({data['commands_per_second']} commands/s, {data['workers']} workers)",
        "Outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(data["outcomes"].items())),
        f"Event log: {data['events']} events in {data['accounts']} accounts",
        "Invariants:",
    ]
    assert report.ledger is not None
    lines += [f"  [ok] {c}" for c in report.ledger.checked] if report.ledger.ok else []
    lines += [f"  [FAIL] {p}" for p in report.ledger.problems]
    lines += _render_projection(report.extra)
    if report.extra.get("declined_by_reason"):
        by_reason = report.extra["declined_by_reason"]
        lines.append(
            "Declined index, one query per reason: "
            + ", ".join(f"{reason} {n}" for reason, n in by_reason.items())
        )
    if report.extra.get("daily_totals_by_currency"):
        lines.append(
            "Daily totals per currency: "
            + "; ".join(
                f"{code} {t['txn_count']} txns, credits {t['credit_total']}, "
                f"debits {t['debit_total']}"
                for code, t in report.extra["daily_totals_by_currency"].items()
            )
        )
    lines.append("RESULT: " + ("all invariants hold" if report.ledger.ok else "VIOLATIONS"))
    return "\n".join(lines)
