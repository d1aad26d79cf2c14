"""Plain JSON shapes of events for people and scripts (the CLI contract of DESIGN.md)."""

from __future__ import annotations

from typing import Any

from processor.events import LedgerEvent
from processor.money import format_minor
from processor.rules_json import rules_json

#: optional fields shown only when an event has them (issue 9: checks, blocks, declines)
OPTIONAL_FIELDS = ("channel", "check_number", "detail", "note")


def event_json(event: LedgerEvent) -> dict[str, Any]:
    extra: dict[str, Any] = {
        name: getattr(event, name)
        for name in OPTIONAL_FIELDS
        if getattr(event, name, None) is not None
    }
    if event.blocked:
        extra["blocked"] = True  # the account is blocked after this event
    extra |= rules_json(event)  # limits, recorded_at, correlation/causation ids, metadata
    return {
        "account_id": event.account_id,
        "seq": event.seq,
        "txn_id": event.txn_id,
        "kind": event.kind,
        "amount": format_minor(event.amount, event.currency),
        "status": event.status,
        "balance_after": format_minor(event.balance_after, event.currency),
        "reason": event.decline_reason,
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "txn_date": event.txn_date,
        "counterparty": event.counterparty_id,
        "currency": event.currency,
        "event_type": event.event_type,
    } | extra


def event_line(event: LedgerEvent) -> str:
    reason = f" ({event.decline_reason})" if event.decline_reason else ""
    other = f" {event.counterparty_id}" if event.counterparty_id else ""
    return (
        f"{event.seq:>6}  {event.txn_date}  {event.kind:<12} {event.status:<8} "
        f"{format_minor(event.amount, event.currency):>14}  -> "
        f"{format_minor(event.balance_after, event.currency):>14}  "
        f"{event.txn_id}{other}{reason}"
    )
