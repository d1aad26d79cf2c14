"""Statements and `balance --as-of` on DynamoDB Local: the reads' Queries, statements (a range
of the account's index), and the CLI. The as-of rules run on the twins
(tests/app/test_statements.py)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from tests.app.test_statements import DAYS, HISTORY, _at, with_history
from tests.cli_support import cli_runner


@pytest.fixture
def bank(app: App) -> App:
    return with_history(app)


@pytest.fixture
def cli(bank: App, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Any:
    return cli_runner(settings, monkeypatch, capsys, json_lines=False)


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


@pytest.fixture(scope="module")
def history_settings(module_settings: Settings) -> Settings:
    """One bank holding A1's history, for the tests that only read it (its tables made once)."""
    settings = module_settings.with_(table_prefix=f"h{uuid.uuid4().hex[:8]}")
    app = bootstrap(settings)
    app.ensure_tables()
    with_history(app)
    return settings


class TestReadingOneHistory:
    """These tests only read A1's history: they share one bank, each through a fresh ``App``
    (its own counters and caches)."""

    @pytest.fixture
    def bank(self, history_settings: Settings) -> App:
        return bootstrap(history_settings)

    @pytest.fixture
    def cli(
        self, bank: App, history_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any
    ) -> Any:
        return cli_runner(history_settings, monkeypatch, capsys, json_lines=False)

    def test_given_an_instant_when_asked_then_three_queries(self, bank: App) -> None:
        # the head, the events effective from the instant's day on (one page), the newest event
        # effective by the instant (its pendings)
        reads = bank.asof
        answer = reads.balance_at("A1", datetime(2024, 3, 2, 23, tzinfo=UTC))
        assert answer is not None and answer.balance == 8234
        assert reads.queries_made == 3

    def test_given_ranges_when_statements_made_then_each_reconciles_and_they_chain(
        self,
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

    def test_given_the_cli_when_statement_and_as_of_then_json_csv_html(
        self, cli: Any, tmp_path: Path
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
    def test_given_bad_input_when_asked_then_exit_2(self, cli: Any, args: tuple[str, ...]) -> None:
        assert cli(*args)[0] == 2

    def test_given_days_when_daily_report_with_balances_then_each_closes_into_the_next(
        self, bank: App, cli: Any
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
