"""Report helpers: date handling, reasons, CSV and table rendering; all without I/O."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from acme_txn.cli.report_render import to_csv, to_table
from projections.model import DailyTotals
from projections.reports import DAILY_COLUMNS, daily_row, date_range, parse_reason


@given(st.dates(max_value=date(9999, 11, 30)), st.integers(0, 40))
def test_date_range_is_inclusive_and_ordered(first: date, span: int) -> None:
    last = first + timedelta(days=span)
    days = date_range(first.isoformat(), last.isoformat())
    assert len(days) == span + 1
    assert days[0] == first.isoformat()
    assert days[-1] == last.isoformat()
    assert days == sorted(days)


@pytest.mark.parametrize(
    "bad",
    [
        ("2026-11-22", "2026-11-21"),
        ("2026-13-01", "2026-12-01"),
        ("yesterday", "2026-11-21"),
        ("2000-01-01", "2026-01-01"),
    ],
)
def test_bad_date_ranges_are_invalid_input(bad: tuple[str, str]) -> None:
    with pytest.raises(InvalidInput):
        date_range(*bad)


def test_reasons() -> None:
    assert parse_reason(None) == [
        "low_balance",
        "unauthorized",
        "illegible_check",
        "limit_exceeded",
        "max_balance_exceeded",
    ]
    assert parse_reason("low_balance") == ["low_balance"]
    assert parse_reason("illegible_check") == ["illegible_check"]
    with pytest.raises(InvalidInput, match="known: low_balance, unauthorized, illegible_check"):
        parse_reason("fraud")


@given(st.integers(0, 10**12), st.integers(0, 10**12))
def test_money_leaves_as_exact_decimal_strings(credit: int, declined: int) -> None:
    row = daily_row(
        "2026-11-20", DailyTotals(txn_count=2, credit_total=credit, declined_total=declined)
    )
    assert row["credit_total"] == f"{credit // 100}.{credit % 100:02d}"
    assert row["declined_total"] == f"{declined // 100}.{declined % 100:02d}"
    parsed = next(csv.DictReader(io.StringIO(to_csv([row], DAILY_COLUMNS))))
    assert parsed["credit_total"] == row["credit_total"]
    assert "credit_total" in to_table([row], DAILY_COLUMNS)
