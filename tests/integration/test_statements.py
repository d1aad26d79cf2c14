"""Statements and `balance --as-of` on DynamoDB Local: one Query, the fold of the log."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App
from processor.domain.decide import fold
from tests.cli_support import cli_runner

DAYS = ("2024-03-01", "2024-03-02", "2024-03-03")
#: (txn, kind, amount, day, hour): A1's history, occurred_at increasing with seq
HISTORY = [
    ("T1", "credit", "100.00", 0, 9),
    ("T2", "debit", "30.00", 0, 15),
    ("T3", "debit", "500.00", 1, 10),  # declined: low balance
    ("T4", "credit", "12.34", 1, 11),
    ("T5", "debit", "2.34", 2, 8),
    ("T6", "credit", "1.00", 2, 20),
]


def _at(day: int, hour: int) -> str:
    return f"{DAYS[day]}T{hour:02d}:00:00Z"


@pytest.fixture
def bank(app: App) -> App:
    customer = app.ledger.submit_raw(
        {"type": "register_customer", "customer_id": "C1", "name": "Ada Li",
         "phone": "+12125550101", "state": "NY", "special_status": []}
    )  # fmt: skip
    assert customer.status == "registered", customer
    opened = app.ledger.submit_raw(
        {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
         "account_id": "A1", "customer_id": "C1", "currency": "USD"}
    )  # fmt: skip
    assert opened.status == "opened", opened
    for txn, kind, amount, day, hour in HISTORY:
        app.ledger.submit_raw(
            {"type": kind, "txn_id": txn, "account_id": "A1", "amount": amount,
             "occurred_at": _at(day, hour)}
        )  # fmt: skip
    return app


@pytest.fixture
def cli(bank: App, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Any:
    return cli_runner(settings, monkeypatch, capsys, json_lines=False)


def _fold(app: App, at: datetime) -> int:
    """Fold (evolve) the log's seq prefix up to the last money event effective by ``at``
    (the opening is always in it: it was opened, at today's date, before this history)."""
    events = list(app.event_store.events("A1"))
    effective = [i for i, e in enumerate(events) if e.seq > 0 and e.occurred_at <= at]
    state = fold(events[: effective[-1] + 1] if effective else events[:1])
    assert state is not None
    return state.balance


@pytest.mark.parametrize(
    "at",
    ["2024-02-29T00:00:00Z", _at(0, 9), _at(0, 12), _at(1, 10), _at(1, 23), _at(2, 19)],
)
def test_given_a_history_when_asked_as_of_then_equals_the_fold_of_the_log_prefix(
    bank: App, at: str
) -> None:
    instant = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(UTC)
    reads = bank.asof
    answer = reads.balance_at("A1", instant)
    assert (answer.balance if answer else 0) == _fold(bank, instant)


def test_given_an_instant_when_asked_then_three_queries(bank: App) -> None:
    # the head, the events effective from the instant's day on (one page), the newest event
    # effective by the instant (its pendings)
    reads = bank.asof
    answer = reads.balance_at("A1", datetime(2024, 3, 2, 23, tzinfo=UTC))
    assert answer is not None and answer.balance == 8234
    assert reads.queries_made == 3


def test_given_ranges_when_statements_made_then_each_reconciles_and_they_chain(
    bank: App,
) -> None:
    first = bank.asof.statement("A1", DAYS[0], DAYS[0], "USD").to_json()
    rest = bank.asof.statement("A1", DAYS[1], DAYS[2], "USD").to_json()
    assert (first["opening_balance"], first["closing_balance"]) == ("0.00", "70.00")
    assert rest["opening_balance"] == first["closing_balance"]
    assert rest["closing_balance"] == "81.00"
    assert rest["totals"] == {
        "credits": "13.34", "debits": "2.34", "net": "11.00", "entries": 4, "declined": 1
    }  # fmt: skip
    assert [e["balance_after"] for e in rest["entries"]] == ["70.00", "82.34", "80.00", "81.00"]
    assert first["reconciles"] and rest["reconciles"]


def test_given_a_backdated_credit_when_stated_then_it_does_not_reconcile(bank: App) -> None:
    late = bank.ledger.submit_raw(
        {"type": "credit", "txn_id": "T7", "account_id": "A1", "amount": "5.00",
         "occurred_at": _at(0, 12)}
    )  # fmt: skip
    assert late.status == "approved", late
    statement = bank.asof.statement("A1", DAYS[0], DAYS[0], "USD")
    assert not statement.reconciles
    answer = bank.asof.balance_at("A1", datetime(2024, 3, 1, 13, tzinfo=UTC))
    # 100.00 at 09:00 and the late 5.00 at 12:00 (the 30.00 debit is effective at 15:00)
    assert answer is not None and answer.backdated and answer.seq == late.seq
    assert answer.balance == 10500 and answer.later_postings == 4
    # the next day's statement opens with the late credit counted
    assert bank.asof.statement("A1", DAYS[1], DAYS[1], "USD").opening == 7500


def test_given_a_credit_recorded_after_a_later_one_when_asked_as_of_then_it_counts(
    app: App,
) -> None:
    """The three-command reproduction: an account, 10.00 effective an hour ago, then 70.00
    effective two hours ago (recorded later): as of 90 minutes ago, the balance is 70.00.
    (Dated in the past: the ledger refuses what is dated ahead of its clock.)"""
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    customer = {"type": "register_customer", "customer_id": "C1", "name": "Ada Li",
                "phone": "+12125550101", "state": "NY", "special_status": []}  # fmt: skip
    app.ledger.submit_raw(customer)
    app.ledger.submit_raw(
        {"type": "open_account", "account_id": "R", "customer_id": "C1",
         "occurred_at": now.isoformat()}
    )  # fmt: skip
    for txn, amount, hours in (("R1", "10.00", 2), ("R2", "70.00", 1)):
        outcome = app.ledger.submit_raw(
            {"type": "credit", "txn_id": txn, "account_id": "R", "amount": amount,
             "occurred_at": (now + timedelta(hours=hours)).isoformat()}
        )  # fmt: skip
        assert outcome.status == "approved", outcome
    answer = app.asof.balance_at("R", now + timedelta(minutes=90))
    assert answer is not None and answer.balance == 7000


def test_given_a_command_dated_before_the_opening_when_submitted_then_rejected(
    bank: App,
) -> None:
    outcome = bank.ledger.submit_raw(
        {"type": "credit", "txn_id": "OLD", "account_id": "A1", "amount": "70.00",
         "occurred_at": "1999-12-31T00:00:00Z"}
    )  # fmt: skip
    assert outcome.status == "rejected" and "before account 'A1' was opened" in str(outcome.error)
    assert bank.ledger.store.idempotency_record("OLD") is None


def test_given_known_at_when_asked_then_later_records_do_not_count(bank: App) -> None:
    before = datetime.now(UTC)
    late = bank.ledger.submit_raw(
        {"type": "credit", "txn_id": "T8", "account_id": "A1", "amount": "5.00",
         "occurred_at": _at(0, 12)}
    )  # fmt: skip
    assert late.status == "approved", late
    at = datetime(2024, 3, 1, 13, tzinfo=UTC)
    then = bank.asof.balance_at("A1", at, before)
    now = bank.asof.balance_at("A1", at)
    assert then is not None and now is not None and (then.balance, now.balance) == (10000, 10500)


def test_given_the_cli_when_statement_and_as_of_then_json_csv_html(
    cli: Any, tmp_path: Path
) -> None:
    code, out = cli("balance", "A1", "--as-of", DAYS[1], "--json")
    assert code == 0 and json.loads(out)["balance"] == "82.34"
    code, out = cli("statement", "A1", "--from", DAYS[0], "--to", DAYS[2], "--json")
    data = json.loads(out)
    assert (code, data["closing_balance"], data["reconciles"]) == (0, "81.00", True)
    code, out = cli("statement", "A1", "--from", DAYS[0], "--to", DAYS[2], "--format", "csv")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 1 + 1 + len(HISTORY) + 1
    page = tmp_path / "s.html"
    code, _ = cli("statement", "A1", "--from", DAYS[0], "--to", DAYS[2], "--format", "html",
                  "--out", str(page))  # fmt: skip
    html = page.read_text()
    assert code == 0 and "<table" in html and "81.00" in html and "reconciles" in html


@pytest.mark.parametrize(
    "args",
    [
        ("balance", "A1", "--as-of", "2024-03-01T10:00:00"),  # no zone
        ("balance", "A1", "--as-of", "yesterday"),
        ("balance", "NOPE", "--as-of", "2024-03-01"),
        ("statement", "NOPE", "--from", DAYS[0], "--to", DAYS[1]),
        ("statement", "A1", "--from", DAYS[1], "--to", DAYS[0]),
        ("statement", "A1", "--from", "2024/03/01", "--to", DAYS[0]),
    ],
)
def test_given_bad_input_when_asked_then_exit_2(cli: Any, args: tuple[str, ...]) -> None:
    assert cli(*args)[0] == 2


def test_given_accounts_when_report_balances_as_of_a_day_then_totals_open_the_next_day(
    bank: App, cli: Any
) -> None:
    opened = bank.ledger.submit_raw(
        {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
         "account_id": "A2", "customer_id": "C1", "currency": "USD"}
    )  # fmt: skip
    assert opened.status == "opened"
    bank.ledger.submit_raw(
        {"type": "credit", "txn_id": "U1", "account_id": "A2", "amount": "3.00",
         "occurred_at": _at(0, 10)}
    )  # fmt: skip
    code, out = cli("report", "balances", "--as-of", DAYS[0], "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    rows, total = lines[:-1], lines[-1]
    assert code == 0
    assert sorted((r["account_id"], r["balance"]) for r in rows) == [
        ("A1", "70.00"), ("A2", "3.00")
    ]  # fmt: skip
    assert total == {"as_of": total["as_of"], "accounts": 2, "total": {"USD": "73.00"}}
    openings = [bank.asof.statement(a, DAYS[1], DAYS[1], "USD").opening for a in ("A1", "A2")]
    assert sum(openings) == 7300


def test_given_days_when_daily_report_with_balances_then_each_closes_into_the_next(
    bank: App, cli: Any
) -> None:
    code, out = cli(
        "report", "daily", "--from", DAYS[0], "--to", DAYS[2], "--balances", "-o", "jsonl"
    )
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [r["end_of_day_balance"] for r in rows] == ["70.00 USD", "82.34 USD", "81.00 USD"]
    for day, row in zip(DAYS[1:], rows, strict=False):  # a day's close is the next's opening
        opening = bank.asof.statement("A1", day, day, "USD").to_json()["opening_balance"]
        assert f"{opening} USD" == row["end_of_day_balance"]
