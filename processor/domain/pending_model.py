"""Two-phase transfers (issue 11 item 1) as events and states carry them; the rules are in
``processor.domain.pending``.

An open pending (a ``Hold``) lives on each account it reserves money on: the sender's side is
a pending debit, the receiver's a pending credit. Every event of the account carries the
account's open holds (``pendings``), like ``balance_after`` and ``blocked``, so the head event
alone still gives the whole state (``ports.state_of_head``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictBool, model_validator

#: a pending without ``timeout_s`` expires after a day; no pending lives longer than 30 days
DEFAULT_TIMEOUT_S = 86_400
MAX_TIMEOUT_S = 30 * 86_400
#: open pendings per account: bounds the ``pendings`` list every event of the account carries.
#: The slots are split so that nobody else can use up an account's own: its own holds (pending
#: debits: card authorisations, the sending side of its pending transfers) have 48; the holds
#: placed toward it by others (pending credits, incoming pending transfers) have 16, of which
#: one sending account may take at most 4.
MAX_OWN_HOLDS = 48
MAX_INCOMING_HOLDS = 16
MAX_HOLDS_PER_SENDER = 4
MAX_OPEN = MAX_OWN_HOLDS + MAX_INCOMING_HOLDS

Side = Literal["debit", "credit"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Hold:
    """One open pending on one account (minor units of the account's currency).

    A plain frozen dataclass (every event of the account carries its holds); checked on
    construction: ``amount`` > 0, ``expires_at`` timezone-aware (kept in UTC)."""

    txn_id: str
    side: Side
    amount: int
    expires_at: datetime
    counterparty: str | None = None  # the other account of a pending transfer

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError("a hold's amount must be > 0")
        if self.expires_at.tzinfo is not UTC:
            if self.expires_at.tzinfo is None:
                raise ValueError("expires_at must be timezone-aware")
            object.__setattr__(self, "expires_at", self.expires_at.astimezone(UTC))

    def live(self, now: datetime) -> bool:
        """Still reserving money: an expired hold counts as released, swept or not."""
        return now < self.expires_at


class PendingFields(BaseModel):
    """``"pending": true`` and its ``timeout_s`` on ``transfer``, ``debit`` and ``credit``."""

    pending: StrictBool | None = None
    timeout_s: int | None = Field(default=None, ge=1, le=MAX_TIMEOUT_S, strict=True)

    @model_validator(mode="after")
    def _timeout_needs_pending(self) -> PendingFields:
        if self.timeout_s is not None and not self.pending:
            raise ValueError('"timeout_s" is only for a pending command ("pending": true)')
        return self

    @property
    def is_pending(self) -> bool:
        return bool(self.pending)

    @property
    def timeout(self) -> int:
        return self.timeout_s or DEFAULT_TIMEOUT_S


#: the most items one leg of a linked batch writes: two events (a transfer's), its
#: idempotency record, and a resolution claim (a post or void of a pending transfer) or an
#: open marker (a pending placed: ``processor.storage.pending_index``; a claim replaces a marker in
#: place, so no leg writes both)
ITEMS_PER_LEG = 4


def max_legs(max_items: int) -> int:
    """The largest linked batch one transaction of ``max_items`` actions takes, whatever its
    legs: one item goes to the batch's own idempotency record."""
    return (max_items - 1) // ITEMS_PER_LEG


#: ``ports.MAX_ITEMS`` is 100 (TransactWriteItems): 24 legs (a unit test keeps them in step)
MAX_LEGS = max_legs(100)
