"""GIVEN projected events on the twins WHEN analysts read the reports, the balance from the
projection and rebuild a projection THEN the numbers are right (the projector's and the
reports' logic; the view store's DynamoDB adapter is held to the twin by the contract suite).
Reports over DynamoDB's indexes, reconcile of tampered items and the rebuild's lease check
run on DynamoDB Local: tests/integration/test_projection_reports.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from acme_base.keys import day_shard
from acme_txn.bootstrap import App
from processor.services.ledger import Ledger
from projections.ports import ViewStore
from projections.rebuild import rebuild_projection
from projections.reconcile import reconcile
from projections.reports import daily_report, declined_report
from tests.app.cli_twins import twin_app, twin_cli
from tests.integration.test_projection_reports import small_ledger


@pytest.fixture
def app() -> App:
    return twin_app()


@pytest.fixture
def ledger(app: App) -> Ledger:
    return app.ledger


@pytest.fixture
def projected(ledger: Ledger, app: App) -> ViewStore:
    small_ledger(ledger)
    result = app.projector.project(list(ledger.store.all_events()))
    assert result.failed == frozenset()
    return app.views


@pytest.fixture
def cli(app: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """Run `acme-txn ...` in-process on ``app``; returns (code, stdout)."""
    run = twin_cli(app, monkeypatch, capsys)

    def cli(*argv: str) -> tuple[int, str]:
        code, out, _ = run(*argv)
        return code, out

    return cli


def test_daily_report_sums_the_shards(projected: ViewStore) -> None:
    # WHEN the report for each day is read THEN the hand-computed totals
    day1, day2 = daily_report(projected, ["2026-11-20", "2026-11-21"])
    assert day1 == {
        "date": "2026-11-20",
        "currency": "USD",
        "txn_count": 3,
        "approved_count": 2,
        "declined_count": 1,
        "credit_total": "100.00",
        "debit_total": "30.50",
        "declined_total": "500.00",
    }
    assert day2 == {
        "date": "2026-11-21",
        "currency": "USD",
        "txn_count": 4,
        "approved_count": 3,
        "declined_count": 1,
        "credit_total": "25.00",
        "debit_total": "5.00",
        "declined_total": "99.00",
    }
    # AND the two accounts' totals live on their own shards
    assert day_shard("A1") != day_shard("B2")


def test_declined_report_queries_every_reason(projected: ViewStore) -> None:
    rows = declined_report(projected, "2026-11-01", "2026-11-30")
    assert [(r["txn_id"], r["account_id"], r["amount"], r["txn_date"]) for r in rows] == [
        ("T3", "A1", "500.00", "2026-11-20"),
        ("T6", "B2", "99.00", "2026-11-21"),
    ]
    assert (
        declined_report(projected, "2026-11-21", "2026-11-21", "low_balance")[0]["txn_id"] == "T6"
    )
    assert declined_report(projected, "2026-11-22", "2026-11-30") == []


def test_balance_command_reads_the_projection_then_falls_back(
    ledger: Ledger, app: App, cli: Any
) -> None:
    # GIVEN A1 with events but nothing projected yet
    small_ledger(ledger)
    code, out = cli("balance", "A1", "--source", "projection", "--json")
    assert (code, json.loads(out)["source"], json.loads(out)["balance"]) == (0, "ledger", "74.50")
    assert "not projected yet" in json.loads(out)["note"]
    # WHEN projected THEN the balance comes from the projection
    app.projector.project(list(ledger.store.all_events()))
    data = json.loads(cli("balance", "A1", "--source", "projection", "--json")[1])
    assert {k: data[k] for k in ("account_id", "balance", "applied_seq")} == {
        "account_id": "A1",
        "balance": "74.50",
        "applied_seq": 4,
    }
    assert data["source"] == "projection"


@pytest.mark.parametrize("name", ["balances", "daily", "declined", "all"])
def test_rebuild_equals_the_live_projection(projected: ViewStore, app: App, name: str) -> None:
    before = projected.snapshot()
    # WHEN one projection is dropped and replayed
    stages: list[tuple[str, int, int | None]] = []
    result = rebuild_projection(app.event_store, projected, name, lambda *s: stages.append(s))
    # THEN it equals the live one it replaced, and the fold
    assert result.ok, result.as_dict()
    assert result.differences_from_live == []
    assert result.items_deleted == result.items_written > 0
    assert projected.snapshot() == before
    # AND each stage reported its progress, ending complete
    last = {stage: (done, total) for stage, done, total in stages}
    assert list(last) == [
        "replaying the event log: events",
        f"dropping {name}: items",
        f"writing {name}: items",
    ]
    assert last[f"writing {name}: items"] == (result.items_written, result.items_written)
    assert reconcile(app.event_store, projected).ok
