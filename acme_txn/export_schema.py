"""The export datasets' typed columns (pyarrow schemas) and item -> row conversions (pure).

Money is ``DECIMAL(38, 4)``: 4 is the largest ISO 4217 exponent, so every currency's amounts
are exact in one column type (a USD ``12.30`` is ``12.3000``); the integer ``*_minor`` column
and ``currency`` sit beside it. Instants are ``timestamp[us, UTC]``, dates ``date32``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

from processor.domain.currency import codes, exponent

SCALE = 4
MONEY = pa.decimal128(38, SCALE)
INSTANT = pa.timestamp("us", tz="UTC")

EVENT_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("seq", pa.int64()),
        ("txn_id", pa.string()),
        ("kind", pa.string()),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("counterparty", pa.string()),
        ("currency", pa.string()),
        ("amount", MONEY),
        ("amount_minor", pa.int64()),
        ("balance_after", MONEY),
        ("balance_after_minor", pa.int64()),
        ("occurred_at", INSTANT),
        ("recorded_at", INSTANT),
        ("txn_date", pa.date32()),
    ]
)
BALANCE_SCHEMA = pa.schema(
    [
        ("date", pa.date32()),
        ("account_id", pa.string()),
        ("currency", pa.string()),
        ("balance", MONEY),
        ("balance_minor", pa.int64()),
        ("last_seq", pa.int64()),
    ]
)
ALERT_SCHEMA = pa.schema(
    [
        ("alert_id", pa.string()),
        ("rule", pa.string()),
        ("account_id", pa.string()),
        ("alert_day", pa.date32()),
        ("window_start", INSTANT),
        ("window_end", INSTANT),
        ("risk_score", pa.int64()),
        ("evidence", pa.list_(pa.string())),
        ("status", pa.string()),
        ("detail", pa.string()),
    ]
)


def money(minor: int, currency: str) -> Decimal:
    """Minor units as an exact Decimal at ``SCALE`` places."""
    places = exponent(currency) if currency in codes() else 2
    return (Decimal(minor).scaleb(-places)).quantize(Decimal(1).scaleb(-SCALE))


def instant(text: Any) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def event_row(item: Mapping[str, Any]) -> dict[str, Any]:
    currency = str(item.get("currency") or "USD")
    amount, balance = int(item.get("amount") or 0), int(item["balance_after"])
    return {
        "account_id": item.get("account_id"),
        "seq": int(item["seq"]),
        "txn_id": item.get("txn_id"),
        "kind": item.get("kind"),
        "status": item.get("status"),
        "reason": item.get("reason"),
        "counterparty": item.get("counterparty"),
        "currency": currency,
        "amount": money(amount, currency),
        "amount_minor": amount,
        "balance_after": money(balance, currency),
        "balance_after_minor": balance,
        "occurred_at": instant(item.get("occurred_at")),
        "recorded_at": instant(item.get("recorded_at")),
        "txn_date": date.fromisoformat(str(item["txn_date"])),
    }


def balance_row(day: str, item: Mapping[str, Any]) -> dict[str, Any]:
    """An account's end-of-day balance: its last event of the day."""
    currency = str(item.get("currency") or "USD")
    balance = int(item["balance_after"])
    return {
        "date": date.fromisoformat(day),
        "account_id": item.get("account_id"),
        "currency": currency,
        "balance": money(balance, currency),
        "balance_minor": balance,
        "last_seq": int(item["seq"]),
    }


def alert_row(alert: Any) -> dict[str, Any]:
    return {
        "alert_id": alert.alert_id,
        "rule": alert.rule,
        "account_id": alert.account_id,
        "alert_day": date.fromisoformat(alert.alert_day),
        "window_start": instant(alert.window_start),
        "window_end": instant(alert.window_end),
        "risk_score": int(alert.risk_score),
        "evidence": list(alert.evidence),
        "status": alert.status,
        "detail": alert.detail,
    }


def daily_schema(columns: list[str], money_fields: frozenset[str]) -> pa.Schema:
    """The daily totals, one row per date and currency: money columns as DECIMAL (in the
    row's ``currency``), counts as int64."""
    fields = [("date", pa.date32())]
    fields += [
        (c, MONEY if c in money_fields else pa.string() if c == "currency" else pa.int64())
        for c in columns
        if c != "date"
    ]
    return pa.schema(fields)


def daily_typed(row: Mapping[str, Any], money_fields: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"date": date.fromisoformat(str(row["date"]))}
    for name, value in row.items():
        if name == "currency":
            out[name] = str(value)
        elif name != "date":
            out[name] = (
                Decimal(str(value)).quantize(Decimal(1).scaleb(-SCALE))
                if name in money_fields
                else int(value)
            )
    return out
