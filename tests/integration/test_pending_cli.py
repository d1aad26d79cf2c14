"""Two-phase transfers through the CLI on DynamoDB Local: `submit`, `balance` (posted,
pending, available), `events`, `txn`, and `expire-pending --now` (a bad `--now` is refused
on the twins: tests/app/test_cli_pending.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from acme_base.settings import Settings
from tests.cli_support import cli_runner
from tests.customer_support import registration


@pytest.fixture
def cli(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    return cli_runner(settings, monkeypatch, capsys)


def lines(path: Path, *commands: dict[str, Any]) -> str:
    path.write_text("".join(json.dumps(c) + "\n" for c in commands))
    return str(path)


def test_given_a_pending_transfer_when_read_through_the_cli_then_balances_split(
    cli: Any, tmp_path: Path
) -> None:
    setup = lines(
        tmp_path / "setup.jsonl",
        registration("C1"),
        {
            "type": "open_account",
            "occurred_at": "2000-01-01T00:00:00Z",
            "account_id": "A",
            "customer_id": "C1",
        },
        {
            "type": "open_account",
            "occurred_at": "2000-01-01T00:00:00Z",
            "account_id": "B",
            "customer_id": "C1",
        },
        {"type": "credit", "txn_id": "F1", "account_id": "A", "amount": "100.00"},
    )
    assert cli("submit", setup)[0] == 0
    pending = lines(
        tmp_path / "pending.jsonl",
        {"type": "transfer", "txn_id": "T1", "from_account": "A", "to_account": "B",
         "amount": "60.00", "pending": True, "timeout_s": 60},
        {"type": "debit", "txn_id": "H1", "account_id": "A", "amount": "5.00", "pending": True,
         "occurred_at": "2099-01-01T00:00:00Z", "timeout_s": 60},
    )  # fmt: skip
    code, outcomes = cli("submit", pending)
    assert code == 2 and outcomes[0]["status"] == "pending"  # 2: a line was rejected
    assert (
        outcomes[1]["status"] == "rejected"
        and "ahead of the ledger's clock" in outcomes[1]["error"]
    )
    code, [balance] = cli("balance", "A")
    assert code == 0
    assert (balance["balance"], balance["posted"], balance["available"]) == (
        "100.00",
        "100.00",
        "40.00",
    )
    assert (balance["pending_debits"], balance["pending_credits"]) == ("60.00", "0.00")
    code, [b] = cli("balance", "B")
    assert (b["pending_credits"], b["available"]) == ("60.00", "0.00")
    code, events = cli("events", "A")
    assert [e["event_type"] for e in events][-1] == "PendingPlaced"
    code, [txn] = cli("txn", "T1")
    assert (code, txn["status"], txn["kind"]) == (0, "pending", "hold")
    assert {e["event_type"] for e in txn["events"]} == {"PendingPlaced"}
    code, _ = cli("expire-pending", "--now", "2020-01-01T00:00:00Z")
    assert code == 0 and cli("events", "A")[1][-1]["event_type"] == "PendingPlaced"
    assert cli("expire-pending", "--now", "2100-01-01T00:00:00Z")[0] == 2  # ahead of the clock
    code, planned = cli("expire-pending", "--now", "2100-01-01T00:00:00Z", "--force", "--dry-run")
    assert code == 0 and [p["pending_txn_id"] for p in planned] == ["T1"]
    code, swept = cli("expire-pending", "--now", "2100-01-01T00:00:00Z", "--force")
    assert code == 0 and [s["status"] for s in swept] == ["expired"]
    assert cli("expire-pending", "--now", "2100-01-01T00:00:00Z", "--force")[1] == []
    code, [after] = cli("balance", "A")
    assert (after["pending_debits"], after["available"]) == ("0.00", "100.00")


def test_given_a_partly_posted_transfer_when_read_then_one_label_and_the_settlement(
    cli: Any, tmp_path: Path
) -> None:
    # GIVEN 100.00 pending from A to B, then 40.00 of it posted
    opening = {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z", "customer_id": "C1"}
    setup = lines(
        tmp_path / "s.jsonl", registration("C1"), {**opening, "account_id": "A"},
        {**opening, "account_id": "B"},
        {"type": "credit", "txn_id": "F1", "account_id": "A", "amount": "100.00"},
        {"type": "transfer", "txn_id": "P1", "from_account": "A", "to_account": "B",
         "amount": "100.00", "pending": True, "timeout_s": 600},
    )  # fmt: skip
    assert cli("submit", setup)[0] == 0
    code, [txn] = cli("txn", "P1")
    assert code == 0 and txn["settled"] is None  # open
    post = lines(tmp_path / "p.jsonl", {"type": "post_pending", "txn_id": "Q1",
                                        "pending_txn_id": "P1", "amount": "40.00"})  # fmt: skip
    assert cli("submit", post)[0] == 0
    # WHEN `txn P1` and `events B` THEN the receiver's leg is labelled alike in both
    code, [txn] = cli("txn", "P1")
    receiver = [e for e in txn["events"] if e["account_id"] == "B"]
    assert [(e["kind"], e.get("side")) for e in receiver] == [("hold", "credit")]
    placed = [e for e in cli("events", "B")[1] if e["event_type"] == "PendingPlaced"]
    assert [(e["kind"], e["side"]) for e in placed] == [("hold", "credit")]
    # AND the settlement shows: posted 40.00, released 60.00 (the post's `released` too)
    assert txn["settled"] == {"status": "posted", "by": "Q1", "posted": "40.00",
                              "released": "60.00"}  # fmt: skip
    posted = [e for e in cli("events", "A")[1] if e["event_type"] == "PendingPosted"]
    assert [e["released"] for e in posted] == ["60.00"]
