"""Two-phase events: a pending placed, then posted, voided or expired
(``processor.domain.pending``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from processor.domain.event_base import EventBase
from processor.domain.pending_model import Side


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingPlaced(EventBase):
    """A pending (two-phase) transfer, debit or credit: ``amount`` is reserved on this
    account (``side`` debit: its available balance drops; credit: it is announced), the
    posted balance is unchanged. ``pending_txn_id`` is the event's own ``txn_id``."""

    event_type: Literal["PendingPlaced"] = "PendingPlaced"
    version: Literal[1] = 1
    kind: Literal["hold"] = "hold"
    status: Literal["approved"] = "approved"
    pending_txn_id: str
    side: Side
    counterparty: str | None = None
    timeout_s: int  # >= 1
    expires_at: datetime


#: what a posted pending moves, as the money kind it stood for
PostedKind = Literal["debit", "credit", "transfer_out", "transfer_in"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingPosted(EventBase):
    """``post_pending``: ``amount`` (at most the reserved one) moves now, as the money kind
    the pending stood for; the rest (``released``) is released."""

    event_type: Literal["PendingPosted"] = "PendingPosted"
    version: Literal[1] = 1
    kind: PostedKind
    status: Literal["approved"] = "approved"
    pending_txn_id: str
    released: int  # >= 0
    counterparty: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingVoided(EventBase):
    """``void_pending``: the whole reserved ``amount`` is released; the balance unchanged."""

    event_type: Literal["PendingVoided"] = "PendingVoided"
    version: Literal[1] = 1
    kind: Literal["release"] = "release"
    status: Literal["approved"] = "approved"
    pending_txn_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingExpired(EventBase):
    """The sweeper's record of a pending past its timeout (it already counted as released
    from the moment it expired: ``processor.domain.pending``)."""

    event_type: Literal["PendingExpired"] = "PendingExpired"
    version: Literal[1] = 1
    kind: Literal["release"] = "release"
    status: Literal["approved"] = "approved"
    pending_txn_id: str
