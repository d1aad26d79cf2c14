"""GIVEN accounts in USD, EUR and JPY projected on the twins WHEN the analysts read the daily
report THEN every currency has its own totals, shown in its own exponent, and nothing adds two
currencies. The CLI, the chart, reconcile of a tampered item and the export read DynamoDB Local
(tests/integration/test_daily_per_currency.py)."""

from __future__ import annotations

import pytest

from acme_txn.bootstrap import App
from processor.services.ledger import Ledger
from projections.ports import ViewStore
from projections.reports import daily_report
from tests.customer_support import register

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


@pytest.fixture
def projected(memory_app: App) -> ViewStore:
    three_currencies(memory_app.ledger)
    events = list(memory_app.event_store.all_events())
    assert memory_app.projector.project(events).failed == frozenset()
    return memory_app.views


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
