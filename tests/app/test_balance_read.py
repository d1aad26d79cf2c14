"""`acme-txn balance` and ``GET /accounts/{id}/balance`` give the one document
(``processor.reads.balance_read``), on the twins; the as-of reads show the pendings. The CLI's
as-of reads and `report balances` read the ledger's indexes
(tests/integration/test_balance_read.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from acme_txn.bootstrap import App
from acme_txn.http_api.reads import balance as api_balance
from tests.app.conftest import app_cli


def bank_on(app: App) -> App:
    """A (50.00, an overdraft of 10.00) with 20.00 pending out to B for 60 s; A frozen."""
    for raw in (
        {"type": "register_customer", "customer_id": "C1", "name": "Ada Li",
         "phone": "+12125550101", "state": "NY", "special_status": []},
        {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
         "account_id": "A", "customer_id": "C1", "credit_limit": "10.00"},
        {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
         "account_id": "B", "customer_id": "C1"},
        {"type": "credit", "txn_id": "F", "account_id": "A", "amount": "50.00",
         "occurred_at": "2024-03-01T09:00:00Z"},
        {"type": "transfer", "txn_id": "P", "from_account": "A", "to_account": "B",
         "amount": "20.00", "pending": True, "timeout_s": 60},
        {"type": "freeze_account", "txn_id": "Z", "account_id": "A", "reason": "review"},
    ):  # fmt: skip
        outcome = app.ledger.submit_raw(raw)
        assert outcome.status in {"registered", "opened", "approved", "pending", "blocked"}, outcome
    return app


@pytest.fixture
def bank(memory_app: App) -> App:
    return bank_on(memory_app)


@pytest.fixture
def cli(bank: App, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Any:
    return app_cli(bank, monkeypatch, capsys, json_lines=False)


def test_given_a_pending_and_a_freeze_when_balance_read_then_cli_and_api_agree(
    bank: App, cli: Any
) -> None:
    # GIVEN A with a live pending, limits and the freeze WHEN read by the CLI and the API
    code, out = cli("balance", "A", "--json")
    from_cli = json.loads(out)
    from_api = api_balance(bank, "A")
    # THEN both give the one document, with every field of issue 11
    assert code == 0 and from_cli == from_api
    assert {k: from_cli[k] for k in ("balance", "posted", "pending_debits", "available")} == {
        "balance": "50.00",
        "posted": "50.00",
        "pending_debits": "20.00",
        "available": "40.00",
    }
    assert from_cli["limits"]["credit_limit"] == "10.00"
    assert (from_cli["frozen"], from_cli["blocked"], from_cli["closed"]) == (True, True, False)


def test_given_a_pending_when_asked_as_of_then_the_pending_fields_show(bank: App) -> None:
    # GIVEN the pending (placed now, 60 s) WHEN asked before it, during it and long after
    now = datetime.now(UTC)
    before = bank.asof.balance_at("A", datetime(2024, 3, 1, 12, tzinfo=UTC))
    during = bank.asof.balance_at("A", now + timedelta(seconds=5))
    after = bank.asof.balance_at("A", now + timedelta(hours=1))
    # THEN the first has none, the second the reserved 20.00, the last none (expired by then)
    assert before is not None and before.pending_json() == {
        "posted": "50.00", "pending_debits": "0.00", "pending_credits": "0.00",
        "available": "60.00",
    }  # fmt: skip
    assert during is not None and (during.pending_debits, during.available) == (2000, 4000)
    assert after is not None and (after.pending_debits, after.available) == (0, 6000)


def test_given_a_write_not_yet_projected_when_balance_read_then_the_new_number(
    bank: App, cli: Any
) -> None:
    # GIVEN a credit just written (no projection has run) WHEN `balance` is asked
    assert (
        bank.ledger.submit_raw(
            {"type": "credit", "txn_id": "N", "account_id": "B", "amount": "25.00"}
        ).status
        == "approved"
    )
    code, out = cli("balance", "B", "--json")
    data = json.loads(out)
    # THEN the ledger's head answers, and the projection is shown apart
    assert code == 0 and (data["balance"], data["posted"], data["source"]) == (
        "25.00", "25.00", "ledger",
    )  # fmt: skip
    assert data["projection"] is None
    code, out = cli("balance", "B", "--source", "projection", "--json")
    data = json.loads(out)
    assert (code == 0 and data["balance"] == data["posted"]) or data["note"]
