"""A transaction's full details, as the idempotency record ``TXN#<txn_id>`` carries them.

Access pattern #10 (seed iteration 5: ``PK = TXN#<id>``) reads that one record, so the record
holds, beside the fingerprint and the outcome, the flat details of the command's first event
(the caller's own account) and, for an approved transfer, the receiving leg's account, seq and
balance. Pure: events in, plain attributes out, and back (``details_from_item``).

The attribute names avoid every index key: no ``txn_declined_reason`` (the record must not
enter the declined sparse index; the reason is ``reason``), no ``GSI*`` keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from processor.domain.events import LedgerEvent
from processor.domain.money import format_minor

#: Attributes the details add to the record item (``status`` and ``account_id`` it has already).
DETAIL_ATTRIBUTES = (
    "event_type",
    "kind",
    "amount",
    "currency",
    "seq",
    "balance_after",
    "occurred_at",
    "txn_date",
    "reason",
    "counterparty",
    "to_account",
    "to_seq",
    "to_balance_after",
    "to_event_type",
    "side",
)


@dataclass(frozen=True)
class Leg:
    """One event of a transaction (a transfer has two: out, then in)."""

    account_id: str
    seq: int
    kind: str
    status: str
    balance_after: int
    event_type: str
    counterparty: str | None = None
    reason: str | None = None
    side: str | None = None  # a pending's placement: "debit" (sender) or "credit" (receiver)


@dataclass(frozen=True)
class TxnDetails:
    """Everything access pattern #10 answers; money in integer minor units."""

    txn_id: str
    status: str
    kind: str
    amount: int
    currency: str
    occurred_at: str
    txn_date: str
    legs: tuple[Leg, ...]
    #: the tracing fields (issue 11), only those the command had
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str | None:
        return self.legs[0].reason

    def to_json(self) -> dict[str, Any]:
        """The flat fields of the first leg, the second leg's ``to_*``, and every leg."""
        first = self.legs[0]
        data: dict[str, Any] = {
            "txn_id": self.txn_id,
            "status": self.status,
            "account_id": first.account_id,
            "seq": first.seq,
            "kind": self.kind,
            "amount": format_minor(self.amount, self.currency),
            "currency": self.currency,
            "balance_after": format_minor(first.balance_after, self.currency),
            "reason": first.reason,
            "occurred_at": self.occurred_at,
            "txn_date": self.txn_date,
            "counterparty": first.counterparty,
        }
        if len(self.legs) > 1:
            second = self.legs[1]
            data |= {
                "to_account": second.account_id,
                "to_seq": second.seq,
                "to_balance_after": format_minor(second.balance_after, self.currency),
            }
        elif first.kind == "transfer_out":  # a declined transfer: one leg, as its outcome says
            data["to_account"] = first.counterparty
        data |= self.extra
        data["events"] = [self._leg_json(leg) for leg in self.legs]
        return data

    def _leg_json(self, leg: Leg) -> dict[str, Any]:
        """The shape of ``acme-txn events`` (``processor.reads.views.event_json``)."""
        return {
            "account_id": leg.account_id,
            "seq": leg.seq,
            "txn_id": self.txn_id,
            "kind": leg.kind,
            "amount": format_minor(self.amount, self.currency),
            "status": leg.status,
            "balance_after": format_minor(leg.balance_after, self.currency),
            "reason": leg.reason,
            "occurred_at": self.occurred_at,
            "txn_date": self.txn_date,
            "counterparty": leg.counterparty,
            "currency": self.currency,
            "event_type": leg.event_type,
        } | ({"side": leg.side} if leg.side else {})


def events_by_txn(events: Sequence[LedgerEvent]) -> dict[str, list[LedgerEvent]]:
    """An append's events grouped by txn id, each group in append order (first: own leg)."""
    groups: dict[str, list[LedgerEvent]] = {}
    for event in events:
        groups.setdefault(event.txn_id, []).append(event)
    return groups


def _iso_z(event: LedgerEvent) -> str:
    return event.occurred_at.isoformat().replace("+00:00", "Z")


def details_of(events: Sequence[LedgerEvent]) -> TxnDetails:
    """The details of one command's events (first: the caller's own account)."""
    if not events:
        raise ValueError("a transaction has at least one event")
    first = events[0]
    legs = tuple(
        Leg(
            account_id=e.account_id,
            seq=e.seq,
            kind=e.kind,
            status=e.status,
            balance_after=e.balance_after,
            event_type=e.event_type,
            counterparty=e.counterparty_id,
            reason=e.decline_reason,
            side=getattr(e, "side", None),
        )
        for e in events
    )
    return TxnDetails(
        txn_id=first.txn_id,
        status=first.status,
        kind=first.kind,
        amount=first.amount,
        currency=first.currency,
        occurred_at=_iso_z(first),
        txn_date=first.txn_date,
        legs=legs,
        extra=_extra_of(first),
    )


#: the record item attributes ``txn`` shows beside the money (issue 11)
#: (``recorded_at`` is the record's own attribute, and each event's: ``acme-txn events``)
EXTRA_FIELDS = ("correlation_id", "causation_id", "metadata", "principal")


def _extra_of(event: LedgerEvent) -> dict[str, Any]:
    found = {
        "correlation_id": event.correlation_id,
        "causation_id": event.causation_id,
        "metadata": event.metadata,
        "principal": event.principal,
    }
    return {name: value for name, value in found.items() if value}


def details_attributes(events: Sequence[LedgerEvent]) -> dict[str, Any]:
    """The record item's detail attributes (plain values; ``None`` ones left out)."""
    details = details_of(events)
    first = details.legs[0]
    attrs: dict[str, Any] = {
        "event_type": first.event_type,
        "kind": details.kind,
        "amount": details.amount,
        "currency": details.currency,
        "seq": first.seq,
        "balance_after": first.balance_after,
        "occurred_at": details.occurred_at,
        "txn_date": details.txn_date,
        "reason": first.reason,
        "counterparty": first.counterparty,
        "side": first.side,
    }
    if len(details.legs) > 1:
        second = details.legs[1]
        attrs |= {
            "to_account": second.account_id,
            "to_seq": second.seq,
            "to_balance_after": second.balance_after,
            "to_event_type": second.event_type,
        }
    attrs |= details.extra
    return {k: v for k, v in attrs.items() if v is not None}


def _placed_side(item: Mapping[str, Any], *, first: bool) -> str | None:
    """A record written before it kept ``side``: a pending transfer's first leg is the
    sender's (debit); a lone hold's side is unknown."""
    if item.get("event_type") != "PendingPlaced":
        return None
    return "debit" if first and "to_account" in item else None


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(f"not an integer: {value!r}")
    return int(value)


def details_from_item(item: Mapping[str, Any]) -> TxnDetails | None:
    """The details of a record item (plain form), or None for a record written before the
    records carried details (the caller then reads the events the outcome names)."""
    if "kind" not in item or "amount" not in item:
        return None
    legs = [
        Leg(
            account_id=str(item["account_id"]),
            seq=_int(item["seq"]),
            kind=str(item["kind"]),
            status=str(item["status"]),
            balance_after=_int(item["balance_after"]),
            event_type=str(item["event_type"]),
            counterparty=item.get("counterparty"),
            reason=item.get("reason"),
            side=item.get("side") or _placed_side(item, first=True),
        )
    ]
    if "to_account" in item:
        placed = item.get("to_event_type") == "PendingPlaced"
        legs.append(
            Leg(
                account_id=str(item["to_account"]),
                seq=_int(item["to_seq"]),
                kind="hold" if placed else "transfer_in",
                side="credit" if placed else None,
                status="approved",
                balance_after=_int(item["to_balance_after"]),
                event_type=str(item.get("to_event_type", "TransferReceived")),
                counterparty=str(item["account_id"]),
            )
        )
    return TxnDetails(
        txn_id=str(item["txn_id"]),
        status=str(item["status"]),
        kind=str(item["kind"]),
        amount=_int(item["amount"]),
        currency=str(item["currency"]),
        occurred_at=str(item["occurred_at"]),
        txn_date=str(item["txn_date"]),
        legs=tuple(legs),
        extra={name: item[name] for name in EXTRA_FIELDS if item.get(name)},
    )


@dataclass(frozen=True)
class LinkedDetails:
    """A linked batch as ``acme-txn txn`` shows it: the batch's outcome, then each leg's
    details (``TxnDetails.to_json``), or the leg's outcome when the leg left no record."""

    outcome: Any  # processor.domain.outcomes.Outcome (the batch's)
    legs: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "txn_id": self.outcome.txn_id,
            "status": self.outcome.status,
            "kind": "linked",
            "reason": self.outcome.reason,
            "declined_leg": self.outcome.declined_leg,
            "legs": self.legs,
        }
