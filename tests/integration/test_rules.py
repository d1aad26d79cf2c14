"""Issue 11's rules where DynamoDB is part of the subject: a raw version-1 item read as
today's model, and the tracing fields read back by `events` and `txn` (an index). The rules
themselves run on the twins (tests/app/test_rules.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from acme_base.aws import deserialize, paginate_items, serialize
from acme_base.keys import seq_sk
from acme_base.settings import Settings
from acme_txn.bootstrap import App
from processor.storage.upcasting import CURRENT
from tests.app.test_rules import open_usd_jpy, submit
from tests.cli_support import cli_runner
from tests.customer_support import registration


@pytest.fixture
def cli(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    """Run `acme-txn ARGS --json` against this test's tables; returns (exit code, JSON lines)."""
    return cli_runner(settings, monkeypatch, capsys)


def items(app: App) -> list[dict[str, Any]]:
    """Every item of the ledger table, plain."""
    scan = paginate_items(app.dynamodb, "scan", "ledger", TableName=app.settings.ledger_table)
    return [deserialize(item) for item in scan]


def test_given_a_raw_version_1_item_when_read_then_todays_model(app: App) -> None:
    """GIVEN an event item written raw as version 1 stored it (no schema_version, no
    recorded_at) WHEN the store reads the account THEN it is today's model and the ledger
    appends after it with the current version."""
    open_usd_jpy(app)
    old = {
        "PK": "ACCT#U1", "SK": "TXN#000000000002", "entity": "txn", "account_id": "U1",
        "seq": 2, "txn_id": "OLD1", "currency": "USD", "amount": 700, "balance_after": 10700,
        "occurred_at": "2020-01-02T03:04:05Z", "event_type": "FundsCredited", "kind": "credit",
        "status": "approved", "txn_date": "2020-01-02",
    }  # fmt: skip
    app.dynamodb.put_item(TableName=app.settings.ledger_table, Item=serialize(old))
    head = app.event_store.head("U1")
    assert head is not None and head.txn_id == "OLD1"
    assert head.recorded_at == head.occurred_at and head.limits is None
    replayed = app.event_store.replay("U1")
    assert replayed is not None
    assert replace(replayed, customer_id="") == app.event_store.state("U1")
    (outcome,) = submit(app, {"type": "debit", "txn_id": "D1", "account_id": "U1", "amount": "7"})
    assert (outcome.status, outcome.seq, outcome.balance_after) == ("approved", 3, "100.00")
    newest = next(i for i in items(app) if (i["PK"], i["SK"]) == ("ACCT#U1", seq_sk(3)))
    assert newest["schema_version"] == CURRENT and "recorded_at" in newest


def test_given_tracing_fields_when_read_by_events_and_txn_then_shown(
    cli: Any, tmp_path: Path
) -> None:
    lines = [
        registration("C1"),
        {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
         "account_id": "A1", "customer_id": "C1", "currency": "BHD",
         "correlation_id": "onboarding-1"},
        {"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "1.005",
         "currency": "BHD", "correlation_id": "checkout-9", "causation_id": "order:9",
         "metadata": {"order": "9"}},
    ]  # fmt: skip
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, outcomes = cli("submit", str(path))
    assert code == 0 and outcomes[-1]["balance_after"] == "1.005"
    code, events = cli("events", "A1")
    assert events[0]["correlation_id"] == "onboarding-1"
    assert (events[1]["amount"], events[1]["metadata"]) == ("1.005", {"order": "9"})
    assert "recorded_at" in events[1]
    code, found = cli("events", "A1", "--correlation-id", "checkout-9")
    assert [e["txn_id"] for e in found] == ["T1"]
    code, [txn] = cli("txn", "T1")
    assert (txn["correlation_id"], txn["causation_id"], txn["amount"]) == (
        "checkout-9",
        "order:9",
        "1.005",
    )
    code, [balance] = cli("balance", "A1")
    assert (balance["balance"], balance["currency"]) == ("1.005", "BHD")
