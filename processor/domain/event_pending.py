"""Two-phase events: a pending placed, then posted, voided or expired
(``processor.domain.pending``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from processor.domain.event_base import EventBase
from processor.domain.pending_model import Side


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
    timeout_s: int = Field(ge=1)
    expires_at: datetime


class PendingPosted(EventBase):
    """``post_pending``: ``amount`` (at most the reserved one) moves now, as the money kind
    the pending stood for; the rest (``released``) is released."""

    event_type: Literal["PendingPosted"] = "PendingPosted"
    version: Literal[1] = 1
    kind: Literal["debit", "credit", "transfer_out", "transfer_in"]
    status: Literal["approved"] = "approved"
    pending_txn_id: str
    released: int = Field(ge=0)
    counterparty: str | None = None


class PendingVoided(EventBase):
    """``void_pending``: the whole reserved ``amount`` is released; the balance unchanged."""

    event_type: Literal["PendingVoided"] = "PendingVoided"
    version: Literal[1] = 1
    kind: Literal["release"] = "release"
    status: Literal["approved"] = "approved"
    pending_txn_id: str


class PendingExpired(EventBase):
    """The sweeper's record of a pending past its timeout (it already counted as released
    from the moment it expired: ``processor.domain.pending``)."""

    event_type: Literal["PendingExpired"] = "PendingExpired"
    version: Literal[1] = 1
    kind: Literal["release"] = "release"
    status: Literal["approved"] = "approved"
    pending_txn_id: str
