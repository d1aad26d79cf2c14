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
    return report


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
