"""The CLI contract (DESIGN.md): JSON shapes, exit codes, local backend lifecycle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.cli.main import main
from tests.cli_support import cli_runner
from tests.customer_support import registration


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run `acme-txn ARGS --json` against this test's tables; returns (exit code, JSON lines)."""
    return cli_runner(settings, monkeypatch, capsys)


def test_given_commands_file_when_submitted_then_json_outcomes_in_order(
    cli: Any, tmp_path: Path
) -> None:
    lines = [
        '{"type":"open_account","occurred_at":"2000-01-01T00:00:00Z","account_id":"A1","customer_id":"C1","currency":"USD"}',
        '{"type":"open_account","occurred_at":"2000-01-01T00:00:00Z","account_id":"A2","customer_id":"C1","currency":"USD"}',
        '{"type":"credit","txn_id":"T1","account_id":"A1","amount":"100.00"}',
        "this is not json",
        '{"type":"debit","txn_id":"T2","account_id":"A1","amount":"30.50",'
        '"occurred_at":"2022-06-19T10:00:00Z"}',
        '{"type":"transfer","txn_id":"T3","from_account":"A1","to_account":"A2","amount":"5.00"}',
        '{"type":"debit","txn_id":"T4","account_id":"A2","amount":"500.00"}',
        '{"type":"credit","txn_id":"T1","account_id":"A1","amount":"100.00"}',
    ]
    path = tmp_path / "cmds.jsonl"
    path.write_text("\n".join(lines) + "\n")
    customers = tmp_path / "customers.jsonl"
    customers.write_text(json.dumps(registration("C1")) + "\n")
    code, [registered] = cli("submit", str(customers))
    assert (code, registered["status"]) == (0, "registered")
    code, outcomes = cli("submit", str(path))
    # THEN the malformed line is rejected, processing went on, and exit code says bad input
    assert code == 2
    assert [o["status"] for o in outcomes] == [
        "opened",
        "opened",
        "approved",
        "rejected",
        "approved",
        "approved",
        "declined",
        "duplicate",
    ]
    assert outcomes[3]["error"].startswith("input line 4: malformed JSON")
    assert outcomes[7]["txn_id"] == "T1"
    assert outcomes[4]["balance_after"] == "69.50"
    assert (outcomes[5]["to_account"], outcomes[5]["to_balance_after"]) == ("A2", "5.00")
    assert outcomes[6]["reason"] == "low_balance"

    code, events = cli("events", "A1")
    assert code == 0
    assert [(e["seq"], e["kind"], e["amount"], e["balance_after"]) for e in events] == [
        (0, "open", "0.00", "0.00"),
        (1, "credit", "100.00", "100.00"),
        (2, "debit", "30.50", "69.50"),
        (3, "transfer_out", "5.00", "64.50"),
    ]
    assert events[2]["txn_date"] == "2022-06-19"

    code, [txn] = cli("txn", "T3")
    assert code == 0 and txn["status"] == "approved"
    assert {e["account_id"] for e in txn["events"]} == {"A1", "A2"}

    code, [balance] = cli("balance", "A1")
    assert (code, balance["balance"], balance["applied_seq"]) == (0, "64.50", 3)


def test_given_unknown_things_when_read_then_exit_2(cli: Any) -> None:
    assert cli("events", "NOPE")[0] == 2
    assert cli("txn", "NOPE")[0] == 2
    assert cli("balance", "NOPE")[0] == 2


def test_given_init_twice_then_idempotent(cli: Any) -> None:
    code, [first] = cli("init")
    assert code == 0 and set(first["tables"].values()) == {"exists"}


def test_given_unreachable_endpoint_when_init_then_exit_1(capsys: Any) -> None:
    code = main(["init", "--endpoint-url", "http://127.0.0.1:9", "--table-prefix", "x"])
    assert code == 1
    assert "unreachable" in capsys.readouterr().err


@pytest.mark.server
def test_given_local_start_when_status_and_stop_then_lifecycle_in_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any, state_dir: Path
) -> None:
    # GIVEN a private state dir sharing the cached jar
    private = tmp_path / "state"
    private.mkdir()
    (private / "dynamodb-local-3.3.0").symlink_to(state_dir / "dynamodb-local-3.3.0")
    monkeypatch.setenv("ACME_STATE_DIR", str(private))
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    data_dir = tmp_path / "data"
    try:
        assert main(["local", "start", "--data-dir", str(data_dir), "--json"]) == 0
        started = json.loads(capsys.readouterr().out)
        assert started["endpoint"].startswith("http://127.0.0.1:")
        assert started["data_dir"] == str(data_dir)
        # WHEN later commands run without an endpoint THEN they find the local server
        assert main(["init", "--table-prefix", "cli", "--json"]) == 0
        assert "cli-ledger" in json.loads(capsys.readouterr().out)["tables"]
        assert main(["local", "status", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["pid"] == started["pid"]
    finally:
        assert main(["local", "stop", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stopped"] is True
    assert main(["local", "status", "--json"]) == 1
    assert any(data_dir.iterdir())  # the persistent database was written


def test_given_bad_demo_sizes_then_exit_2_before_starting_anything(capsys: Any) -> None:
    assert main(["demo", "--accounts", "1"]) == 2
    assert "--accounts must be between" in capsys.readouterr().err
