"""Analyst reports: daily totals (access pattern #12, seed iteration 12) and declined
transactions in a date range (#13, the sparse index of seed iteration 6), as rows of plain
values. Money leaves here as decimal strings in its currency's exponent, never floats.

Daily totals come one row per (date, currency) with activity, in date then currency order;
a date without any activity has one all-zero row in the default currency (USD), so a
USD-only ledger reports exactly the rows it did before currencies, plus ``"currency"``.
Rendering (text tables, CSV, charts) is the CLI's: ``acme_txn.cli.report_render``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from acme_base.errors import InvalidInput
from processor.domain.currency import DEFAULT_CURRENCY
from processor.domain.events import DeclineReason
from processor.domain.money import format_minor
from projections.model import DAILY_FIELDS, MONEY_FIELDS, DailyTotals, DeclinedEntry
from projections.ports import ViewStore

MAX_DAYS = 3660
DAILY_COLUMNS = ("date", "currency", *DAILY_FIELDS)
DECLINED_COLUMNS = ("txn_id", "account_id", "reason", "amount", "txn_date", "occurred_at")


def parse_date(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{what} {text!r} is not a date: use YYYY-MM-DD") from exc


def date_range(date_from: str, date_to: str) -> list[str]:
    """Every date from ``date_from`` to ``date_to`` inclusive, as ISO strings."""
    first, last = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    if last < first:
        raise InvalidInput(f"--to {date_to} is before --from {date_from}")
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise InvalidInput(f"date range of {days} days is too long (at most {MAX_DAYS})")
    return [(first + timedelta(days=i)).isoformat() for i in range(days)]


def daily_row(day: str, totals: DailyTotals, currency: str = DEFAULT_CURRENCY) -> dict[str, Any]:
    row: dict[str, Any] = {"date": day, "currency": currency}
    for name, value in totals.as_dict().items():
        row[name] = format_minor(value, currency) if name in MONEY_FIELDS else value
    return row


def daily_report(views: ViewStore, dates: Sequence[str]) -> list[dict[str, Any]]:
    """One row per date and currency: the sum of that date's shards in that currency."""
    per_day = views.daily_by_currency(dates)
    rows: list[dict[str, Any]] = []
    for day in dates:
        active = {c: t for c, t in per_day[day].items() if not t.empty}
        for code, totals in sorted((active or {DEFAULT_CURRENCY: DailyTotals()}).items()):
            rows.append(daily_row(day, totals, code))
    return rows


def parse_reason(text: str | None) -> list[str]:
    if text is None:
        return [r.value for r in DeclineReason]
    try:
        return [DeclineReason(text).value]
    except ValueError as exc:
        known = ", ".join(r.value for r in DeclineReason)
        raise InvalidInput(f"unknown decline reason {text!r} (known: {known})") from exc


def declined_row(entry: DeclinedEntry) -> dict[str, Any]:
    return {
        "txn_id": entry.txn_id,
        "account_id": entry.account_id,
        "reason": entry.reason,
        "amount": format_minor(entry.amount, entry.currency),
        "txn_date": entry.txn_date,
        "occurred_at": entry.occurred_at,
        "seq": entry.seq,
        "kind": entry.kind,
        "currency": entry.currency,
    }


def declined_report(
    views: ViewStore, date_from: str, date_to: str, reason: str | None = None
) -> list[dict[str, Any]]:
    """Query the sparse GSI once per decline reason and merge (seed iteration 6)."""
    date_range(date_from, date_to)  # validates both dates and their order
    entries: list[DeclinedEntry] = []
    for code in parse_reason(reason):
        entries += views.declined(code, date_from, date_to)
    entries.sort(key=lambda e: (e.txn_date, e.occurred_at, e.account_id, e.seq))
    return [declined_row(e) for e in entries]
