"""`acme-txn status` and the reports' freshness line on DynamoDB Local (the poller's metric
lines on the stream twin: tests/app/test_consumer_poller_twins.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App
from acme_txn.cli.main import main
from acme_txn.freshness import projection_lag

DAY = "2024-04-02"


def _submit(app: App, first: int, n: int) -> None:
    for i in range(first, first + n):
        app.ledger.submit_raw(
            {"type": "debit", "txn_id": f"T{i}", "account_id": "A1", "amount": "999.00",
             "occurred_at": f"{DAY}T10:00:00Z"}
        )  # fmt: skip


@pytest.fixture
def bank(app: App) -> App:
    app.ledger.submit_raw(
        {"type": "register_customer", "customer_id": "C1", "name": "Ada Li",
         "phone": "+12125550101", "state": "NY", "special_status": []}
    )  # fmt: skip
    opened = app.ledger.submit_raw(
        {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
         "account_id": "A1", "customer_id": "C1", "currency": "USD"}
    )  # fmt: skip
    assert opened.status == "opened"
    _submit(app, 1, 3)
    return app


@pytest.fixture
def cli(bank: App, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", settings.access_key or "")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", settings.secret_key or "")
    monkeypatch.setenv("ACME_TABLE_PREFIX", settings.table_prefix)

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--endpoint-url", settings.endpoint_url or ""])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_given_a_consumer_stopped_midway_when_status_then_behind_until_drained(
    bank: App, cli: Any
) -> None:
    bank.drain()
    _submit(bank, 10, 2)  # written after the consumer stopped
    code, out, _ = cli("status", "--json")
    projection = json.loads(out)["consumers"][0]
    assert code == 0 and projection["started"] and projection["records_behind"] > 0
    assert any(s["iterator_age_s"] is not None for s in projection["shards"])
    code, text, _ = cli("status")
    assert code == 0 and "records behind" in text and "table " in text
    bank.drain()
    code, out, _ = cli("status", "--json")
    data = json.loads(out)
    assert data["consumers"][0]["records_behind"] == 0
    assert data["projection_lag_seconds"] == 0
    assert {t["table"] for t in data["tables"]} >= {bank.settings.ledger_table}


def test_given_nothing_projected_when_report_then_hint_and_require_fresh_fails(
    bank: App, cli: Any
) -> None:
    code, out, err = cli("report", "declined", "--from", DAY, "--to", DAY, "--source", "projection")
    assert code == 0 and "not projected yet" in err and "acme-txn project" in err
    code, _, err = cli(
        "report",
        "declined",
        "--from",
        DAY,
        "--to",
        DAY,
        "--source",
        "projection",
        "--require-fresh",
    )
    assert code == 1 and "--require-fresh" in err
    bank.drain()
    code, out, err = cli(
        "report",
        "declined",
        "--from",
        DAY,
        "--to",
        DAY,
        "--source",
        "projection",
        "--require-fresh",
        "-o",
        "jsonl",
    )
    assert code == 0 and "current" in err
    assert len(out.splitlines()) == 3  # the three declines, now projected


def test_given_a_drained_consumer_when_lag_read_then_nothing_moves(bank: App) -> None:
    bank.drain()
    before = projection_lag(bank)
    again = projection_lag(bank)  # reading the backlog never moves a checkpoint
    assert before is not None and again is not None
    assert before.records_behind == again.records_behind == 0
    assert [s.checkpoint for s in before.shards] == [s.checkpoint for s in again.shards]
