"""The member view and its fold over a member account's ledger events (pure, no I/O).

The view is what ``points balance`` reads with one GetItem: the balance, lifetime earned
points, tier and the seq it is folded to. Folding is deterministic from the log, so the
projector may fold the same events again (stream redelivery) and reach the same view; the
store's write is conditional on the seq it started from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from apps.common import AccountPrefix
from apps.loyalty.rules import LoyaltyRules
from processor.domain.events import FundsCredited, FundsDebited, LedgerEvent

#: the ledger account of a member
ACCOUNT_PREFIX = "PTS-"
UNIT = "PTS"
#: metadata keys the loyalty commands put on their ledger events
KIND_KEY, ORDER_KEY = "loyalty", "order_id"


_ACCOUNTS = AccountPrefix(ACCOUNT_PREFIX)
#: a member's points account, and the member of a points account (None: not one)
member_account = _ACCOUNTS.account
user_of_account = _ACCOUNTS.user_of


@dataclass(frozen=True)
class TierChanged:
    """A member moved tier (the event a promotions consumer reads)."""

    user_id: str
    seq: int
    from_tier: str
    to_tier: str
    at: str


@dataclass(frozen=True)
class OrderEntry:
    """An EARN of an order (the by-order index entry)."""

    order_id: str
    txn_id: str
    user_id: str
    points: int
    at: str


@dataclass(frozen=True)
class MemberView:
    user_id: str
    points: int = 0
    lifetime_earned: int = 0
    tier: str = "Bronze"
    seq: int = -1  # the last event folded (-1: none)
    updated_at: str = ""


@dataclass
class Folded:
    """A fold's result: the new view and what it produced on the way."""

    view: MemberView
    tier_changes: list[TierChanged] = field(default_factory=list)
    orders: list[OrderEntry] = field(default_factory=list)


def fold(view: MemberView, events: Iterable[LedgerEvent], rules: LoyaltyRules) -> Folded:
    """Apply the events past ``view.seq`` in seq order (earlier ones are skipped: replays)."""
    out = Folded(view)
    for event in events:
        if event.seq <= out.view.seq:
            continue
        if event.seq != out.view.seq + 1:
            raise ValueError(f"gap in {event.account_id}: seq {event.seq} after {out.view.seq}")
        out.view = _apply(out, event, rules)
    return out


def _apply(out: Folded, event: LedgerEvent, rules: LoyaltyRules) -> MemberView:
    view = out.view
    at = event.occurred_at.isoformat()
    lifetime = view.lifetime_earned
    if isinstance(event, FundsCredited):
        lifetime += event.amount
        order_id = (event.metadata or {}).get(ORDER_KEY)
        if order_id:
            out.orders.append(OrderEntry(order_id, event.txn_id, view.user_id, event.amount, at))
    points = view.points + _delta(event)
    tier = rules.tier_of(lifetime)
    if tier != view.tier:
        out.tier_changes.append(TierChanged(view.user_id, event.seq, view.tier, tier, at))
    return replace(
        view, points=points, lifetime_earned=lifetime, tier=tier, seq=event.seq, updated_at=at
    )


def _delta(event: LedgerEvent) -> int:
    if isinstance(event, FundsCredited):
        return event.amount
    if isinstance(event, FundsDebited):
        return -event.amount
    return 0
