"""Statements and `balance --as-of` on DynamoDB Local: one Query, the fold of the log."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App
from processor.decide import fold
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
        {"type": "open_account", "account_id": "A1", "customer_id": "C1", "currency": "USD"}
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


def test_given_an_instant_after_its_days_last_event_when_asked_then_one_query(bank: App) -> None:
    reads = bank.asof
    answer = reads.balance_at("A1", datetime(2024, 3, 2, 23, tzinfo=UTC))
    assert answer is not None and answer.balance == 8234
    assert reads.queries_made == 1


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
    assert answer is not None and answer.backdated and answer.seq == late.seq


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
        {"type": "open_account", "account_id": "A2", "customer_id": "C1", "currency": "USD"}
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
