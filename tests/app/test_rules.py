"""The rules of accounts on the twins: limits, freeze/close, currencies, closed accounts and
their retries, `submit --workers 8` keeping each account's order, and bad input for every
command rejected with nothing written (the raw stored items and the tracing reads are
DynamoDB's: tests/integration/test_rules.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from acme_txn.bootstrap import App
from tests.app.conftest import app_cli, stored
from tests.customer_support import registration


@pytest.fixture
def cli(
    memory_app: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    """Run `acme-txn ARGS` on the twins; returns (exit code, JSON lines)."""
    return app_cli(memory_app, monkeypatch, capsys)


def submit(app: App, *commands: dict[str, Any]) -> list[Any]:
    return [app.ledger.submit_raw(c) for c in commands]


def open_usd_jpy(app: App) -> None:
    outcomes = submit(
        app,
        registration("C1"),
        {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
         "account_id": "U1", "customer_id": "C1"},
        {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
         "account_id": "U2", "customer_id": "C1", "credit_limit": "50",
         "max_balance": "1000.00"},
        {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
         "account_id": "J1", "customer_id": "C1", "currency": "JPY"},
        {"type": "credit", "txn_id": "F1", "account_id": "U1", "amount": "100.00"},
        {"type": "credit", "txn_id": "F2", "account_id": "J1", "amount": "5000"},
    )  # fmt: skip
    assert [o.status for o in outcomes] == ["registered", *["opened"] * 3, *["approved"] * 2]


def test_given_limits_freeze_and_close_then_declines_and_rejections(memory_app: App) -> None:
    open_usd_jpy(memory_app)
    outcomes = submit(
        memory_app,
        {"type": "debit", "txn_id": "D1", "account_id": "U2", "amount": "50.00"},
        {"type": "debit", "txn_id": "D2", "account_id": "U2", "amount": "0.01"},
        {"type": "credit", "txn_id": "C1", "account_id": "U2", "amount": "1050.01"},
        {"type": "freeze_account", "txn_id": "Z1", "account_id": "U1", "reason": "review"},
        {"type": "debit", "txn_id": "D3", "account_id": "U1", "amount": "1.00"},
        {"type": "unfreeze_account", "txn_id": "Z2", "account_id": "U1"},
        {"type": "transfer", "txn_id": "T1", "from_account": "U1", "to_account": "U2",
         "amount": "100.00"},
        {"type": "set_limits", "txn_id": "S1", "account_id": "U2", "credit_limit": "0"},
        {"type": "debit", "txn_id": "D4", "account_id": "U2", "amount": "50.00"},
        {"type": "close_account", "txn_id": "X1", "account_id": "U2", "reason": "moved"},
        {"type": "credit", "txn_id": "C2", "account_id": "U2", "amount": "1.00"},
    )  # fmt: skip
    assert [(o.status, o.reason) for o in outcomes] == [
        ("approved", None),
        ("declined", "limit_exceeded"),
        ("declined", "max_balance_exceeded"),
        ("blocked", None),
        ("declined", "unauthorized"),
        ("unblocked", None),
        ("approved", None),
        ("limits_set", None),
        ("approved", None),
        ("closed", None),
        ("rejected", None),
    ]
    assert outcomes[-1].error == "account 'U2' is closed"
    state = memory_app.event_store.state("U2")
    assert state is not None and state.closed and state.balance == 0
    replayed = memory_app.event_store.replay("U2")
    assert replayed is not None and replace(replayed, customer_id="") == state


BAD_COMMANDS: list[dict[str, Any]] = [
    {"type": "set_limits", "txn_id": "B1", "account_id": "U1"},
    {"type": "set_limits", "txn_id": "B2", "account_id": "U1", "credit_limit": "-5"},
    {"type": "set_limits", "txn_id": "B3", "account_id": "U1", "credit_limit": 5.5},
    {"type": "set_limits", "txn_id": "B4", "account_id": "NOPE", "credit_limit": "5"},
    {"type": "set_limits", "txn_id": "B5", "account_id": "U1", "max_balance": "10.00"},
    {"type": "set_limits", "txn_id": "B6", "account_id": "U1", "credit_limit": "0.001"},
    {"type": "set_limits", "txn_id": "B7", "account_id": "U1",
     "debits_must_not_exceed_credits": True, "credits_must_not_exceed_debits": True},
    {"type": "set_limits", "txn_id": "B8", "account_id": "U1", "colour": "red"},
    {"type": "close_account", "txn_id": "B9", "account_id": "U1"},
    {"type": "close_account", "txn_id": "B10", "account_id": "NOPE"},
    {"type": "freeze_account", "txn_id": "B11", "account_id": "U1"},
    {"type": "unfreeze_account", "txn_id": "B12", "account_id": "U1"},
    {"type": "credit", "txn_id": "B13", "account_id": "J1", "amount": "1.5"},
    {"type": "credit", "txn_id": "B14", "account_id": "U1", "amount": "1.005"},
    {"type": "credit", "txn_id": "B15", "account_id": "U1", "amount": "1.00", "currency": "XAU"},
    {"type": "transfer", "txn_id": "B16", "from_account": "U1", "to_account": "J1",
     "amount": "1"},
    {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
     "account_id": "N1", "customer_id": "C1", "currency": "ZZZ"},
    {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
     "account_id": "N2", "customer_id": "C1", "currency": "JPY",
     "credit_limit": "0.5"},
    {"type": "credit", "txn_id": "B17", "account_id": "U1", "amount": "1", "metadata": {"k": 1}},
    {"type": "credit", "txn_id": "B18", "account_id": "U1", "amount": "1",
     "metadata": {f"k{i}": "v" for i in range(17)}},
    {"type": "debit", "txn_id": "B19", "account_id": "U1", "amount": "1", "correlation_id": ""},
]  # fmt: skip


def test_given_bad_input_for_every_new_command_then_rejected_and_nothing_written(
    memory_app: App,
) -> None:
    open_usd_jpy(memory_app)
    before = stored(memory_app)
    outcomes = submit(memory_app, *BAD_COMMANDS)
    assert [o.status for o in outcomes] == ["rejected"] * len(BAD_COMMANDS), outcomes
    assert all(o.error for o in outcomes)
    assert stored(memory_app) == before


def test_given_open_then_credits_in_one_file_when_8_workers_then_in_order(
    cli: Any, tmp_path: Path
) -> None:
    """The case of issue 11 item 8: two credits after their account's opening in one file,
    8 workers; they used to race the open and come back "unknown account"."""
    lines = [registration("C1")]
    for n in range(6):
        lines += [
            {
                "type": "open_account",
                "occurred_at": "2000-01-01T00:00:00Z",
                "account_id": f"A{n}",
                "customer_id": "C1",
            },
            {"type": "credit", "txn_id": f"T{n}a", "account_id": f"A{n}", "amount": "10.00"},
            {"type": "credit", "txn_id": f"T{n}b", "account_id": f"A{n}", "amount": "5.00"},
            {"type": "debit", "txn_id": f"T{n}c", "account_id": f"A{n}", "amount": "15.00"},
        ]
    lines.append({"type": "transfer", "txn_id": "X", "from_account": "A0", "to_account": "A1",
                  "amount": "0.01"})  # fmt: skip
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, outcomes = cli("submit", str(path), "--workers", "8")
    assert [o.get("txn_id") for o in outcomes[1:]] == [line.get("txn_id") for line in lines[1:]]
    statuses = [o["status"] for o in outcomes]
    assert statuses[:5] == ["registered", "opened", "approved", "approved", "approved"]
    assert statuses[1:-1] == ["opened", "approved", "approved", "approved"] * 6
    assert (code, outcomes[-1]["status"], outcomes[-1]["reason"]) == (0, "declined", "low_balance")


def test_given_a_closed_account_when_an_earlier_command_is_resent_then_duplicate(
    memory_app: App,
) -> None:
    """A retry of a transfer or credit that landed before the close still answers its
    original outcome (``duplicate``); a new command naming the account is rejected."""
    open_usd_jpy(memory_app)
    transfer = {"type": "transfer", "txn_id": "T1", "from_account": "U1", "to_account": "U2",
                "amount": "10.00"}  # fmt: skip
    credit = {"type": "credit", "txn_id": "C1", "account_id": "U2", "amount": "1.00"}
    drain = {"type": "debit", "txn_id": "D1", "account_id": "U2", "amount": "11.00"}
    close = {"type": "close_account", "txn_id": "X1", "account_id": "U2"}
    first = submit(memory_app, transfer, credit, drain, close)
    assert [o.status for o in first] == ["approved", "approved", "approved", "closed"]
    again = submit(memory_app, transfer, credit, close)
    assert [(o.status, o.original_status) for o in again] == [
        ("duplicate", "approved"),
        ("duplicate", "approved"),
        ("duplicate", "closed"),
    ]
    (fresh,) = submit(memory_app, {**transfer, "txn_id": "T2"})
    assert (fresh.status, fresh.error) == ("rejected", "account 'U2' is closed")


def test_given_a_pending_credit_when_closing_at_zero_then_rejected(memory_app: App) -> None:
    """Close needs nothing pending too (two-phase holds of issue 11 part A)."""
    outcomes = submit(
        memory_app,
        registration("C1"),
        {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
         "account_id": "A", "customer_id": "C1"},
        {"type": "credit", "txn_id": "P1", "account_id": "A", "amount": "5", "pending": True,
         "timeout_s": 3600},
        {"type": "close_account", "txn_id": "X", "account_id": "A"},
    )  # fmt: skip
    assert [o.status for o in outcomes] == ["registered", "opened", "pending", "rejected"]
    assert outcomes[-1].error == "account 'A' has pending transfers: resolve them first"
