"""GIVEN accounts in USD, EUR and JPY projected on DynamoDB Local WHEN the analysts read the
daily report by the CLI, draw the chart, reconcile, rebuild and export THEN every currency has
its own totals, shown in its own exponent (issue 11 item 4). The report's logic runs on the
twins (tests/app/test_daily_per_currency.py)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from acme_base.aws import serialize
from acme_base.keys import day_shard
from acme_base.settings import Settings
from acme_txn.bootstrap import App
from processor.services.ledger import Ledger
from projections.items import daily_totals_key
from projections.ports import ViewStore
from projections.rebuild import rebuild_projection
from projections.reconcile import reconcile
from tests.app.test_daily_per_currency import three_currencies
from tests.integration import test_projection_reports as reports_tests

DAY = "2026-11-20"


run_cli = pytest.fixture(reports_tests.cli.__wrapped__, name="run_cli")  # type: ignore[attr-defined]


@pytest.fixture
def projected(ledger: Ledger, app: App) -> ViewStore:
    three_currencies(ledger)
    assert app.projector.project(list(ledger.store.all_events())).failed == frozenset()
    return app.views


def test_given_three_currencies_when_via_the_cli_then_json_lines_per_currency_and_a_chart(
    projected: ViewStore, run_cli: Any, tmp_path: Path
) -> None:
    cli = run_cli
    chart = tmp_path / "daily.png"
    code, out = cli("report", "daily", "--date", DAY, "-o", "jsonl", "--chart", str(chart))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert {r["currency"]: r["debit_total"] for r in lines} == {
        "EUR": "2.25",
        "JPY": "300",
        "USD": "0.00",
    }
    assert chart.read_bytes()[:4] == b"\x89PNG"
    code, out = cli("reconcile", "--json")
    assert (code, json.loads(out)["ok"], json.loads(out)["days_checked"]) == (0, True, 3)


def test_given_a_tampered_jpy_total_then_reconcile_names_the_currency_and_rebuild_heals_it(
    projected: ViewStore, app: App, client: Any, settings: Settings
) -> None:
    # GIVEN the JPY total of the day inflated by one yen
    client.update_item(
        TableName=settings.views_table,
        Key=serialize(daily_totals_key(DAY, day_shard("J1"), "JPY")),
        UpdateExpression="ADD credit_total :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    # WHEN reconciled THEN exactly that (day, currency), shown in yen
    result = reconcile(app.event_store, projected)
    assert [m.as_dict() for m in result.mismatches] == [
        {
            "model": "daily",
            "key": f"{DAY} JPY",
            "field": "credit_total",
            "expected": "1250",
            "actual": "1251",
        }
    ]
    # AND a rebuild of the daily totals restores every currency's
    rebuilt = rebuild_projection(app.event_store, projected, "daily")
    assert rebuilt.ok and reconcile(app.event_store, projected).ok


def test_given_three_currencies_when_daily_exported_then_a_row_per_currency_with_its_code(
    projected: ViewStore, app: App, tmp_path: Path
) -> None:
    import duckdb

    from acme_txn.exporting import Exporter

    # WHEN the daily dataset is exported as Parquet
    Exporter(app, tmp_path, DAY, DAY, "parquet").run(["daily"])
    relation = duckdb.sql(
        f"SELECT currency, txn_count, CAST(credit_total AS VARCHAR) "
        f"FROM read_parquet('{tmp_path / 'daily' / '*.parquet'}') ORDER BY currency"
    )
    assert relation is not None
    rows = relation.fetchall()
    # THEN one typed row per currency, the money exact in its own units
    assert [(c, n, Decimal(t)) for c, n, t in rows] == [
        ("EUR", 3, Decimal("12.50")),
        ("JPY", 2, Decimal("1250")),
        ("USD", 1, Decimal("12.50")),
    ]
