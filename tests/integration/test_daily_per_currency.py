"""GIVEN accounts in USD, EUR and JPY projected on DynamoDB Local WHEN the analysts read the
daily report (library and CLI), draw the chart, reconcile and rebuild THEN every currency has
its own totals, shown in its own exponent, and nothing adds two currencies (issue 11 item 4)."""

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
from projections.reports import daily_report
from tests.customer_support import register
from tests.integration import test_projection_reports as reports_tests

DAY = "2026-11-20"
AT = f"{DAY}T10:00:00Z"


def three_currencies(ledger: Ledger) -> None:
    """U1 (USD) +12.50; E1 (EUR) +12.50, -2.25, declined -99.00; J1 (JPY) +1250, -300."""
    register(ledger, "C1")
    for account, code in (("U1", "USD"), ("E1", "EUR"), ("J1", "JPY")):
        opened = ledger.submit_raw(
            {
                "type": "open_account",
                "occurred_at": "2000-01-01T00:00:00Z",
                "account_id": account,
                "customer_id": "C1",
                "currency": code,
            }
        )
        assert opened.status == "opened", opened
    for n, (kind, account, amount) in enumerate(
        [
            ("credit", "U1", "12.50"),
            ("credit", "E1", "12.50"),
            ("debit", "E1", "2.25"),
            ("debit", "E1", "99.00"),
            ("credit", "J1", "1250"),
            ("debit", "J1", "300"),
        ]
    ):
        cmd = {"type": kind, "txn_id": f"T{n}", "account_id": account, "amount": amount}
        assert ledger.submit_raw({**cmd, "occurred_at": AT}).status in {"approved", "declined"}


run_cli = pytest.fixture(reports_tests.cli.__wrapped__, name="run_cli")  # type: ignore[attr-defined]


@pytest.fixture
def projected(ledger: Ledger, app: App) -> ViewStore:
    three_currencies(ledger)
    assert app.projector.project(list(ledger.store.all_events())).failed == frozenset()
    return app.views


def test_given_three_currencies_when_reported_then_one_row_each_in_its_exponent(
    projected: ViewStore,
) -> None:
    rows = daily_report(projected, [DAY])
    assert [
        (r["currency"], r["txn_count"], r["credit_total"], r["debit_total"], r["declined_total"])
        for r in rows
    ] == [
        ("EUR", 3, "12.50", "2.25", "99.00"),
        ("JPY", 2, "1250", "300", "0"),
        ("USD", 1, "12.50", "0.00", "0.00"),
    ]
    # AND the USD totals keep the single-currency key; the others sit beside them
    assert projected.daily([DAY])[DAY].credit_total == 1250  # minor units: 12.50 USD
    assert projected.daily([DAY], "JPY")[DAY].credit_total == 1250  # 1250 yen


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
