"""Events: immutable facts, named in the past tense, one account's stream each.

Every event carries its ``seq`` within the account's stream and the running
``balance_after`` (minor units), so the event log alone is the truth.

The classes live by family (``event_base``: the shared fields and decline codes;
``event_money``; ``event_pending``; ``event_lifecycle``); this module re-exports them, so
``processor.domain.events.X`` keeps working, and holds the union, the classes by
``event_type`` (what the codec decodes by) and the kinds.

Events are plain frozen dataclasses with slots, not pydantic models: pydantic validates
commands once, at the edge; inside ``decide``, ``evolve``, the codec and the projector an event
is built from values already checked, and copied with ``dataclasses.replace``.
"""

from __future__ import annotations

from typing import TypeAlias

from processor.domain.event_base import CreditChannel, DeclineReason, EventBase
from processor.domain.event_lifecycle import (
    AccountBlocked,
    AccountClosed,
    AccountOpened,
    AccountUnblocked,
    HistoryArchived,
    LimitsSet,
)
from processor.domain.event_money import (
    DebitDeclined,
    DepositDeclined,
    FundsCredited,
    FundsDebited,
    TransferDeclined,
    TransferReceived,
    TransferSent,
)
from processor.domain.event_pending import (
    PendingExpired,
    PendingPlaced,
    PendingPosted,
    PendingVoided,
)

_Event = EventBase  # the name before the split

LedgerEvent: TypeAlias = (
    AccountOpened
    | FundsCredited
    | FundsDebited
    | DebitDeclined
    | TransferSent
    | TransferReceived
    | TransferDeclined
    | DepositDeclined
    | AccountBlocked
    | AccountUnblocked
    | LimitsSet
    | AccountClosed
    | PendingPlaced
    | PendingPosted
    | PendingVoided
    | PendingExpired
    | HistoryArchived
)
#: every event class by its ``event_type`` (the codec decodes an item by it)
EVENT_TYPES: dict[str, type[LedgerEvent]] = {
    cls.__name__: cls
    for cls in (
        AccountOpened,
        FundsCredited,
        FundsDebited,
        DebitDeclined,
        TransferSent,
        TransferReceived,
        TransferDeclined,
        DepositDeclined,
        AccountBlocked,
        AccountUnblocked,
        LimitsSet,
        AccountClosed,
        PendingPlaced,
        PendingPosted,
        PendingVoided,
        PendingExpired,
        HistoryArchived,
    )
}

CREDIT_KINDS = frozenset({"credit", "transfer_in"})
DEBIT_KINDS = frozenset({"debit", "transfer_out"})
#: events that are no money transaction: no amount, no daily totals, never declined
NON_MONEY_KINDS = frozenset({"open", "block", "unblock", "limits", "close", "hold", "release"})


def signed_amount(event: LedgerEvent) -> int:
    """The event's effect on the balance: + for approved credits, - for approved debits."""
    if not event.approved or event.kind in NON_MONEY_KINDS:
        return 0
    return event.amount if event.kind in CREDIT_KINDS else -event.amount


__all__ = [
    "CREDIT_KINDS",
    "DEBIT_KINDS",
    "EVENT_TYPES",
    "NON_MONEY_KINDS",
    "AccountBlocked",
    "AccountClosed",
    "AccountOpened",
    "AccountUnblocked",
    "CreditChannel",
    "DebitDeclined",
    "DeclineReason",
    "DepositDeclined",
    "EventBase",
    "FundsCredited",
    "FundsDebited",
    "HistoryArchived",
    "LedgerEvent",
    "LimitsSet",
    "PendingExpired",
    "PendingPlaced",
    "PendingPosted",
    "PendingVoided",
    "TransferDeclined",
    "TransferReceived",
    "TransferSent",
    "signed_amount",
]
