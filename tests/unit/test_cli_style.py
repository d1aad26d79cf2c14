"""One output style and errors that help, on the in-memory twins: money as decimals in the
apps' answers, `--output json|jsonl|table|csv` on every command with one shape per kind of
answer, usage errors with the subcommand's usage and a "did you mean"."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

import pytest

from acme_base.errors import InvalidInput
from acme_txn.cli.statement_cmd import _text as statement_text
from processor.domain.money import parse_amount
from tests.unit.cli_memory import Run, memory_cli

CUSTOMER = (
    '{"type":"register_customer","customer_id":"C1","name":"Ada Li",'
    '"phone":"+12125550123","state":"NY","special_status":[]}'
)
OPEN = '{"type":"open_account","account_id":"A1","customer_id":"C1","currency":"USD"}'
CREDIT = '{"type":"credit","txn_id":"T%d","account_id":"A1","amount":"%d.00"}'


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return memory_cli(monkeypatch, capsys)


@pytest.fixture
def account(cli: Run, tmp_path: Path) -> str:
    lines = [CUSTOMER, OPEN, *(CREDIT % (i, 10 * i) for i in range(1, 4))]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert cli("submit", str(path)).code == 0
    return "A1"


# --- money as decimals ---------------------------------------------------------------------


def test_budget_set_and_spend_answer_in_dollars_not_cents(cli: Run) -> None:
    """GIVEN a budget of 250.00 and an expense of 270.00 WHEN set, spend, list are printed
    THEN every amount is a decimal string of dollars, never 25000 cents."""
    done = cli("budget", "set", "U1", "food", "2026-12", "250.00", "--json")
    assert done.code == 0 and done.json()["amount"] == "250.00"
    text = cli("budget", "set", "U1", "food", "2026-12", "250.00")
    assert "250.00" in text.out and "25000" not in text.out
    cli("budget", "expense", "U1", "270.00", "food", "party", "--id", "E1", "--date", "2026-12-05")
    spend = cli("budget", "spend", "U1", "food", "2026-12")
    assert "270.00 USD of 250.00" in spend.out
    assert cli("budget", "spend", "U1", "food", "2026-12", "--json").json()["spent"] == "270.00"
    listing = cli("budget", "list", "U1", "--output", "json").json()
    assert [(b["amount"], b["spent"]) for b in listing["items"]] == [("250.00", "270.00")]
    notes = cli("budget", "notifications", "U1", "--json").json()["items"]
    assert {n["budget"] for n in notes} == {"250.00"}


def test_points_earn_shows_points_earned_and_the_tier_change(cli: Run) -> None:
    """GIVEN a new member WHEN an order earns points and a big one crosses into Gold THEN the
    answer says how many points each earned, and the tier change."""
    first = cli("points", "earn", "U1", "O1", "59.90", "--txn", "P1")
    assert first.code == 0 and "+59 points" in first.out and "tier Bronze" in first.out
    big = cli("points", "earn", "U1", "O2", "5000.00", "--txn", "P2", "--json").json()
    assert big["points_earned"] > 0
    assert (big["tier_before"], big["tier"]) == ("Bronze", "Gold")
    repeat = cli("points", "earn", "U1", "O3", "1.00", "--txn", "P3")
    assert "Bronze" not in repeat.out and "tier Gold" in repeat.out


# --- one output option ----------------------------------------------------------------------


def test_every_command_accepts_output_and_its_json_alias() -> None:
    """GIVEN the full parser WHEN each command that runs is inspected THEN it takes --output
    with the four formats, and --json."""
    from acme_txn.cli.main import build_parser, leaf_parsers

    parser = build_parser(full=True)
    leaves = list(leaf_parsers(parser))
    assert len(leaves) > 40
    for leaf in leaves:
        options = leaf._option_string_actions
        assert "--output" in options and "--json" in options, leaf.prog
        assert list(options["--output"].choices or []) == ["json", "jsonl", "table", "csv"]


def test_the_command_table_matches_what_the_modules_register() -> None:
    """GIVEN the light table `--help` lists WHEN every module registers its commands THEN the
    names and their help are the same."""
    from acme_txn.cli.main import COMMANDS, build_parser

    parser = build_parser(full=True)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert {a.dest: a.help for a in sub._choices_actions} == {
        name: text for name, (_, text) in COMMANDS.items()
    }


def test_lists_have_one_shape_per_format(cli: Run, account: str) -> None:
    """GIVEN an account with 4 events WHEN `events` and `txns` are printed in each format THEN
    json is one document with items, jsonl one object per line, table and csv have headers."""
    for command in (["events", account], ["budget", "list", "U9"]):
        doc = cli(*command, "--output", "json").json()
        assert set(doc) == {"items", "count", "next_token"} and doc["count"] == len(doc["items"])
        assert cli(*command, "--json").json() == doc  # the alias
    events = cli("events", account, "--output", "jsonl").lines()
    assert [e["seq"] for e in events] == [0, 1, 2, 3]
    table = cli("events", account, "--output", "table").out.splitlines()
    assert table[0].split()[:2] == ["ACCOUNT_ID", "SEQ"] and len(table) == 5
    rows = list(csv.DictReader(io.StringIO(cli("events", account, "--output", "csv").out)))
    assert [r["seq"] for r in rows] == ["0", "1", "2", "3"]


def test_one_record_in_each_format(cli: Run) -> None:
    cli("budget", "set", "U1", "food", "2026-12", "250.00")
    spend = ["budget", "spend", "U1", "food", "2026-12"]
    assert cli(*spend, "-o", "jsonl").json()["budget"] == "250.00"
    table = cli(*spend, "-o", "table").out.splitlines()
    assert table[0].split() == ["FIELD", "VALUE"] and any("250.00" in r for r in table)
    rows = list(csv.DictReader(io.StringIO(cli(*spend, "-o", "csv").out)))
    assert rows == [
        {"user_id": "U1", "category": "food", "month": "2026-12", "spent": "0.00",
         "budget": "250.00"}
    ]  # fmt: skip


def test_a_statement_shows_the_decline_reason() -> None:
    entry = {"txn_date": "2026-12-01", "seq": 4, "kind": "debit", "status": "declined",
             "amount": "900.00", "balance_after": "10.00", "txn_id": "D1",
             "reason": "insufficient_funds"}  # fmt: skip
    data = {"account_id": "A1", "from": "2026-12-01", "to": "2026-12-31", "currency": "USD",
            "opening_balance": "10.00", "closing_balance": "10.00", "entries": [entry],
            "totals": {"credits": "0.00", "debits": "0.00", "entries": 1, "declined": 1},
            "reconciles": True}  # fmt: skip
    line = next(x for x in statement_text(data).splitlines() if "D1" in x)
    assert "insufficient_funds" in line


# --- errors that help -------------------------------------------------------------------------


def test_a_mistyped_command_gets_a_did_you_mean(cli: Run) -> None:
    result = cli("balanse", "A1")
    assert result.code == 2 and "did you mean 'balance'" in result.err
    nested = cli("budget", "sett", "U1")
    assert "usage: acme-txn budget" in nested.err and "did you mean 'set'" in nested.err


def test_a_wrong_flag_shows_the_subcommands_usage_and_a_did_you_mean(cli: Run) -> None:
    result = cli("balance", "A1", "--as_of", "2026-12-01")
    assert result.code == 2
    assert "usage: acme-txn balance" in result.err
    assert "did you mean '--as-of'" in result.err


def test_a_malformed_line_names_its_input_line(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(CUSTOMER + "\n\n" + '{"type": "credit",\n')
    result = cli("submit", str(path))
    outcomes = result.lines()
    assert result.code == 2 and outcomes[1]["input_line"] == 3
    assert outcomes[1]["error"].startswith("input line 3: malformed JSON")


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("100000000000.00", "USD", "'100000000000.00' exceeds the limit of 1,000,000,000.00"),
        ("100000000000", "JPY", "'100000000000' exceeds the limit of 1,000,000,000 per"),
        ("1.5", "JPY", "'1.5' is not a positive decimal with no decimal places (JPY)"),
        ("1.500", "USD", "'1.500' is not a positive decimal with at most 2 places"),
        ("12,50", "USD", "'12,50' is not a positive decimal such as"),
    ],
)
def test_amount_errors_name_the_real_limit_and_echo_the_input(
    value: str, currency: str, expected: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_amount(value, currency)
    assert expected in str(caught.value)


def test_budget_month_and_date_errors_read_as_sentences(cli: Run) -> None:
    month = cli("budget", "set", "U1", "food", "12-2026", "250.00")
    assert month.code == 2
    assert "month '12-2026' is not YYYY-MM" in month.out and "^(" not in month.out
    date = cli("budget", "expense", "U1", "5.00", "food", "x", "--id", "E1", "--date", "06/12/2026")
    assert date.code == 2 and not date.out.startswith("None")
    assert "date '06/12/2026' is not YYYY-MM-DD" in date.out and "Value error" not in date.out


def test_reusing_an_export_folder_says_a_sentence(tmp_path: Path) -> None:
    from acme_txn.exporting import CHECKPOINT, Exporter

    (tmp_path / CHECKPOINT).write_text(
        json.dumps({"args": {"from": "2026-01-01", "to": "2026-01-31", "format": "csv"}})
    )
    exporter = Exporter(None, tmp_path, "2026-02-01", "2026-02-28", "csv")
    with pytest.raises(InvalidInput) as caught:
        exporter.run(["events"])
    message = str(caught.value)
    assert "{" not in message and "the csv export of 2026-01-01 .. 2026-01-31" in message


def test_the_budget_command_shows_the_trackers_currency() -> None:
    from acme_txn.cli import budget_cmd
    from apps.budgets import model

    assert budget_cmd.CURRENCY == model.CURRENCY
