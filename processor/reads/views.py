"""Plain JSON shapes of events for people and scripts (the CLI contract of DESIGN.md)."""

from __future__ import annotations

from typing import Any

from processor.domain.events import LedgerEvent
from processor.domain.money import format_minor
from processor.reads.rules_json import rules_json

#: optional fields shown only when an event has them (issue 9: checks, blocks, declines)
OPTIONAL_FIELDS = ("channel", "check_number", "detail", "note")


def kind_label(kind: str, side: str | None) -> str:
    """One label for a pending's leg wherever it is shown (``events``, ``txn``): a hold is
    a "pending debit" (the sender's) or a "pending credit" (the receiver's)."""
    return f"pending {side}" if kind == "hold" and side else kind


def pending_json(event: LedgerEvent) -> dict[str, Any]:
    """A two-phase event's own fields: the pending it belongs to, its side and expiry (a
    placement), and what a post released (the remainder of the reserved amount)."""
    fields: dict[str, Any] = {}
    for name in ("pending_txn_id", "side"):
        if getattr(event, name, None) is not None:
            fields[name] = getattr(event, name)
    expires = getattr(event, "expires_at", None)
    if expires is not None:
        fields["expires_at"] = expires.isoformat().replace("+00:00", "Z")
    released = getattr(event, "released", None)
    if released is not None:
        fields["released"] = format_minor(released, event.currency)
    return fields


def event_json(event: LedgerEvent) -> dict[str, Any]:
    extra: dict[str, Any] = {
        name: getattr(event, name)
        for name in OPTIONAL_FIELDS
        if getattr(event, name, None) is not None
    }
    extra |= pending_json(event)
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
    released = getattr(event, "released", None)
    if released:
        reason += f" (released {format_minor(released, event.currency)})"
    label = kind_label(event.kind, getattr(event, "side", None))
    return (
        f"{event.seq:>6}  {event.txn_date}  {label:<15} {event.status:<8} "
        f"{format_minor(event.amount, event.currency):>14}  -> "
        f"{format_minor(event.balance_after, event.currency):>14}  "
        f"{event.txn_id}{other}{reason}"
    )
