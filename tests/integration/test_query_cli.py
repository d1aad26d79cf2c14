"""The query commands of the CLI on a seeded bank: JSON shapes, paging, exit codes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import bootstrap
from acme_txn.cli.main import main
from tests.cli_support import cli_runner
from tests.integration.bank_seed import DAYS, seed


@pytest.fixture(scope="module")
def seeded(module_settings: Settings) -> Settings:
    """One seeded bank for the module: every test here only reads it (four tables created and
    the bank written once, not per test)."""
    settings = module_settings.with_(table_prefix=f"q{uuid.uuid4().hex[:8]}")
    app = bootstrap(settings)
    app.ensure_tables()
    seed(app)
    return settings


@pytest.fixture
def settings(seeded: Settings) -> Settings:
    return seeded


@pytest.fixture
def cli(seeded: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Any:
    """Run `acme-txn ARGS --output jsonl` (or as ARGS say) on a seeded bank."""
    return cli_runner(seeded, monkeypatch, capsys)


def test_given_a_seeded_bank_when_queried_by_cli_then_json_per_pattern(cli: Any) -> None:
    assert cli("customer", "get", "C1")[1][0]["name"] == "Ada Li"
    assert cli("customer", "by-phone", "+14155550103")[1][0]["customer_id"] == "C3"
    code, [page] = cli("customer", "by-state", "NY", "--limit", "3", "--json")
    assert (code, page["count"], page["next_token"] is not None) == (0, 3, True)
    code, [rest] = cli(
        "customer", "by-state", "NY", "--limit", "3", "--next", page["next_token"], "--json"
    )
    assert [c["customer_id"] for c in page["items"] + rest["items"]] == [
        "C1", "C2", "C5", "C6", "C7"
    ]  # fmt: skip
    assert rest["next_token"] is None
    _, [students] = cli("customer", "special", "--status", "student", "--json")
    assert [c["customer_id"] for c in students["items"]] == ["C3"]
    assert cli("account", "get", "A2")[1][0]["customer_id"] == "C1"
    _, [accounts] = cli("account", "list", "C1", "--json")
    assert [a["account_id"] for a in accounts["items"]] == ["A1", "A2"]
    assert cli("account", "customer", "A4")[1][0]["customer_id"] == "C4"


def test_given_txns_when_read_by_cli_then_last_range_and_full_details(cli: Any) -> None:
    _, [last] = cli("txns", "A1", "--last", "2", "--json")
    assert [t["txn_id"] for t in last["items"]] == ["T9", "T8"]
    _, [ranged] = cli("txns", "A1", "--from", DAYS[2], "--to", DAYS[2], "--json")
    assert [t["txn_id"] for t in ranged["items"]] == ["T7"]
    code, [txn] = cli("txn", "T9")
    assert code == 0
    assert (txn["kind"], txn["amount"], txn["currency"], txn["txn_date"]) == (
        "transfer_out",
        "100.00",
        "USD",
        DAYS[1],
    )
    assert (txn["to_account"], txn["to_seq"]) == ("A3", 3)  # today's fields stay
    assert [e["kind"] for e in txn["events"]] == ["transfer_out", "transfer_in"]


def test_given_a_day_when_reported_by_cli_then_lines_streamed_and_paged(cli: Any) -> None:
    code, lines = cli("report", "transactions", "--date", DAYS[1])
    assert code == 0 and len(lines) == 7
    code, [first] = cli("report", "transactions", "--date", DAYS[1], "--limit", "4", "--json")
    token = first["next_token"]
    _, [second] = cli(
        "report", "transactions", "--date", DAYS[1], "--limit", "4", "--next", token, "--json"
    )
    assert first["items"] + second["items"] == lines
    assert second["next_token"] is None
    _, declined = cli(
        "report", "declined", "--from", DAYS[0], "--to", DAYS[2], "--source", "ledger"
    )
    assert {d["txn_id"] for d in declined} >= {"T10", "T11", "T12"}


@pytest.mark.parametrize(
    "args",
    [
        ("customer", "get", "C404"),
        ("customer", "by-phone", "+19995550000"),
        ("customer", "by-phone", "not a phone"),
        ("customer", "by-state", "XX"),
        ("account", "get", "A404"),
        ("account", "list", "C404"),
        ("account", "customer", "A404"),
        ("txns", "A404", "--last", "2"),
        ("txns", "A1"),
        ("txns", "A1", "--last", "2", "--from", "2022-06-18"),
        ("txns", "A1", "--from", "2022/06/18", "--to", "2022-06-19"),
        ("txn", "T404"),
        ("report", "transactions", "--date", "yesterday"),
        ("customer", "by-state", "NY", "--next", "eyJ2IjoxfQ"),
        ("customer", "by-state", "NY", "--limit", "0"),
    ],
)
def test_given_unknown_ids_or_bad_input_when_queried_then_exit_2(
    cli: Any, args: tuple[str, ...]
) -> None:
    code, out = cli(*args)
    assert (code, out) == (2, [])


def test_given_unprojected_declines_when_reported_and_exported_then_the_same_rows_and_source(
    cli: Any, capsys: Any, tmp_path: Any, settings: Settings
) -> None:
    # GIVEN the seeded bank (nothing projected) WHEN `report declined` and `export declined`
    # run over the same dates with their defaults
    code, reported = cli("report", "declined", "--from", DAYS[0], "--to", DAYS[2])
    code_e, [summary] = cli(
        "export", "declined", "--from", DAYS[0], "--to", DAYS[2], "--format", "jsonl",
        "--out", str(tmp_path), "--no-progress",
    )  # fmt: skip
    # THEN they read the same source and agree, and each says which source it read
    exported = [line for part in sorted((tmp_path / "declined").glob("*.jsonl"))
                for line in part.read_text().splitlines()]  # fmt: skip
    assert (code, code_e) == (0, 0) and len(reported) == len(exported) >= 3
    assert summary["datasets"]["declined"]["source"] == "ledger"
    endpoint = ["--endpoint-url", settings.endpoint_url or ""]
    assert main(["report", "declined", "--from", DAYS[0], "--to", DAYS[2], *endpoint]) == 0
    assert "source: ledger" in capsys.readouterr().err
