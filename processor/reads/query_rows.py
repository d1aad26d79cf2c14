"""Stored items -> the plain rows the bank's queries answer (pure; money as decimal strings).

Rows are built from the items themselves, not through the event models, so a query never
fails on an item type it does not know (a newer event type, a decline reason added later):
unknown attributes are left out, missing ones are ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from processor.domain.currency import codes
from processor.domain.money import format_minor


def _money(value: Any, currency: Any = "USD") -> str | None:
    """Minor units in the item's currency (an unknown code: as USD, never a failed query)."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        code = currency if isinstance(currency, str) and currency in codes() else "USD"
        return format_minor(int(value), code)
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return int(value)
    return None


def customer_row(item: Mapping[str, Any]) -> dict[str, Any]:
    """A customer item (``PK = SK = CUST#<id>``)."""
    statuses = item.get("special_status") or set()
    return {
        "customer_id": item.get("customer_id") or str(item["PK"]).removeprefix("CUST#"),
        "name": item.get("name"),
        "phone": item.get("phone"),
        "state": item.get("state"),
        "special_status": sorted(str(s) for s in statuses),
        "special_status_indicator": item.get("special_status_indicator"),
        "created_at": item.get("created_at"),
        "updated_at": item.get("updated_at"),
    }


def account_row(item: Mapping[str, Any]) -> dict[str, Any]:
    """An account item (``PK = CUST#<customer>``, ``SK = ACCT#<account>``)."""
    return {
        "account_id": item.get("account_id") or str(item["SK"]).removeprefix("ACCT#"),
        "customer_id": item.get("customer_id") or str(item["PK"]).removeprefix("CUST#"),
        "currency": item.get("currency"),
        "opened_at": item.get("opened_at"),
    }


def txn_row(item: Mapping[str, Any]) -> dict[str, Any]:
    """An event item, in the shape of ``acme-txn events`` (``processor.reads.views.event_json``)."""
    return {
        "account_id": item.get("account_id"),
        "seq": _int(item.get("seq")),
        "txn_id": item.get("txn_id"),
        "kind": item.get("kind"),
        "amount": _money(item.get("amount"), item.get("currency")),
        "status": item.get("status"),
        "balance_after": _money(item.get("balance_after"), item.get("currency")),
        "reason": item.get("reason"),
        "occurred_at": item.get("occurred_at"),
        "txn_date": item.get("txn_date"),
        "counterparty": item.get("counterparty"),
        "currency": item.get("currency"),
        "event_type": item.get("event_type"),
    }


def txn_line(row: Mapping[str, Any]) -> str:
    """One human line per transaction row."""
    reason = f" ({row['reason']})" if row.get("reason") else ""
    other = f" {row['counterparty']}" if row.get("counterparty") else ""
    return (
        f"{row['account_id']:<12} {row['seq']!s:>6}  {row['txn_date']}  {row['kind']!s:<12} "
        f"{row['status']!s:<8} {row['amount']!s:>14}  -> {row['balance_after']!s:>14}  "
        f"{row['txn_id']}{other}{reason}"
    )


def customer_line(row: Mapping[str, Any]) -> str:
    statuses = ",".join(row["special_status"]) or "-"
    return (
        f"{row['customer_id']:<12} {row['name'] or '-':<24} {row['phone'] or '-':<16} "
        f"{row['state'] or '-':<3} {statuses}"
    )


def account_line(row: Mapping[str, Any]) -> str:
    return f"{row['account_id']:<12} customer {row['customer_id']:<12} {row['currency']}"
