"""GIVEN projected events on DynamoDB Local WHEN analysts run the reports, reconcile and
rebuild (library and CLI) THEN the numbers are right and every planted mismatch is listed.
The reports' and the rebuild's logic on the twins: tests/app/test_reports_twins.py."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from acme_base.aws import serialize
from acme_base.keys import balance_key, daily_key, day_shard, declined_key
from acme_base.settings import Settings
from acme_txn.bootstrap import App
from acme_txn.cli.main import main
from processor.services.ledger import Ledger
from projections.ports import ViewStore
from projections.rebuild import rebuild_projection
from projections.reconcile import reconcile
from tests.customer_support import register


def small_ledger(ledger: Ledger) -> None:
    """A1: +100.00, -30.50, declined 500.00 (day 1); B2: +20.00, transfer 5.00 to A1 (day 2),
    declined transfer 99.00 (day 2)."""
    register(ledger, "C1")
    for account in ("A1", "B2"):
        ledger.submit_raw(
            {
                "type": "open_account",
                "occurred_at": "2000-01-01T00:00:00Z",
                "account_id": account,
                "customer_id": "C1",
            }
        )
    day1, day2 = "2026-11-20T10:00:00Z", "2026-11-21T11:00:00Z"
    for cmd in (
        {
            "type": "credit",
            "txn_id": "T1",
            "account_id": "A1",
            "amount": "100.00",
            "occurred_at": day1,
        },
        {
            "type": "debit",
            "txn_id": "T2",
            "account_id": "A1",
            "amount": "30.50",
            "occurred_at": day1,
        },
        {
            "type": "debit",
            "txn_id": "T3",
            "account_id": "A1",
            "amount": "500.00",
            "occurred_at": day1,
        },
        {
            "type": "credit",
            "txn_id": "T4",
            "account_id": "B2",
            "amount": "20.00",
            "occurred_at": day2,
        },
        {
            "type": "transfer",
            "txn_id": "T5",
            "from_account": "B2",
            "to_account": "A1",
            "amount": "5.00",
            "occurred_at": day2,
        },
        {
            "type": "transfer",
            "txn_id": "T6",
            "from_account": "B2",
            "to_account": "A1",
            "amount": "99.00",
            "occurred_at": day2,
        },
    ):
        ledger.submit_raw(cmd)


@pytest.fixture
def projected(ledger: Ledger, app: App) -> ViewStore:
    small_ledger(ledger)
    result = app.projector.project(list(ledger.store.all_events()))
    assert result.failed == frozenset()
    return app.views


@pytest.fixture
def cli(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    """Run `acme-txn ...` in-process against this test's tables; returns (code, stdout)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", str(settings.access_key))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", str(settings.secret_key))

    def run(*argv: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(
            [
                *argv,
                "--endpoint-url",
                str(settings.endpoint_url),
                "--table-prefix",
                settings.table_prefix,
            ]
        )
        return code, capsys.readouterr().out

    return run


def test_cli_reports_json_csv_and_chart(projected: ViewStore, cli: Any, tmp_path: Path) -> None:
    code, out = cli("report", "daily", "--date", "2026-11-20", "--output", "jsonl")
    assert code == 0
    assert json.loads(out)["debit_total"] == "30.50"
    code, out = cli(
        "report",
        "daily",
        "--from",
        "2026-11-19",
        "--to",
        "2026-11-21",
        "--format",
        "csv",
        "--chart",
        str(tmp_path / "d.png"),
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert [r["txn_count"] for r in rows] == ["0", "3", "4"]
    assert (tmp_path / "d.png").read_bytes()[:4] == b"\x89PNG"
    code, out = cli(
        "report", "declined", "--from", "2026-11-20", "--to", "2026-11-21", "-o", "jsonl"
    )
    assert [json.loads(line)["txn_id"] for line in out.splitlines()] == ["T3", "T6"]
    assert set(json.loads(out.splitlines()[0])) >= {
        "txn_id",
        "account_id",
        "reason",
        "amount",
        "txn_date",
        "occurred_at",
    }
    assert (
        cli("report", "declined", "--from", "2026-11-20", "--to", "2026-11-21", "--reason", "nope")[
            0
        ]
        == 2
    )
    assert cli("report", "daily", "--date", "20-11-2026")[0] == 2
    code, out = cli("reconcile", "--json")
    assert (code, json.loads(out)["ok"], json.loads(out)["days_checked"]) == (0, True, 2)


def test_reconcile_lists_every_planted_mismatch(
    projected: ViewStore, app: App, client: Any, settings: Settings, cli: Any
) -> None:
    # GIVEN tampered views: a balance changed, a daily shard inflated, a declined entry gone
    table = settings.views_table
    client.update_item(
        TableName=table,
        Key=serialize(balance_key("A1")),
        UpdateExpression="SET balance = :b",
        ExpressionAttributeValues={":b": {"N": "1"}},
    )
    client.update_item(
        TableName=table,
        Key=serialize(daily_key("2026-11-21", day_shard("B2"))),
        UpdateExpression="ADD txn_count :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    client.delete_item(TableName=table, Key=serialize(declined_key("A1", 3)))
    # WHEN reconciled
    result = reconcile(app.event_store, projected)
    # THEN not ok, and each planted mismatch is listed
    assert not result.ok
    found = {(m.model, m.key, m.field) for m in result.mismatches}
    assert found == {
        ("balance", "A1", "balance"),
        ("daily", "2026-11-21 USD", "txn_count"),
        ("declined", "A1#3", "presence"),
    }
    code, out = cli("reconcile", "--json")
    assert code == 1
    assert len(json.loads(out)["mismatches"]) == 3
    # AND a rebuild of everything repairs it
    assert rebuild_projection(app.event_store, projected, "all").ok
    assert reconcile(app.event_store, projected).ok


def test_project_rebuild_cli(projected: ViewStore, cli: Any) -> None:
    # WHEN `acme-txn project --rebuild daily` runs THEN it equals the live one and the fold
    code, out = cli("project", "--rebuild", "daily", "--json")
    data = json.loads(out)
    assert (code, data["ok"], data["equal_to_live"], data["items_written"]) == (0, True, True, 3)
    assert cli("project", "--rebuild", "nonsense")[0] == 2


def test_given_a_live_shard_lease_when_rebuild_then_refused_unless_forced(
    projected: ViewStore, cli: Any, client: Any, settings: Settings
) -> None:
    # GIVEN a poller that holds a shard lease (as a running `acme-txn project` would)
    from streams.state import StreamState

    holder = StreamState(client, settings.streams_table, "projections", "label", "someone")
    assert holder.acquire("shard-1") is not None
    # WHEN a rebuild is asked for THEN it is refused with exit 2 and nothing is replaced
    code, _ = cli("project", "--rebuild", "daily", "--json")
    assert code == 2
    # AND with --force it goes ahead
    code, out = cli("project", "--rebuild", "daily", "--force", "--json")
    assert code == 0 and json.loads(out)["ok"]
    # AND once the lease is released a plain rebuild runs
    holder.release("shard-1")
    assert cli("project", "--rebuild", "daily", "--json")[0] == 0
