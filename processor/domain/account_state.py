"""An account's state as folded from its events (``processor.domain.evolve``), read by
``decide``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from processor.domain.limit_model import DEFAULT_LIMITS, Limits
from processor.domain.pending_model import Hold


@dataclass(frozen=True)
class AccountState:
    account_id: str
    customer_id: str
    currency: str
    balance: int = 0
    seq: int = 0
    blocked: bool = False  # no money may leave (debits, outgoing transfers are declined)
    limits: Limits = DEFAULT_LIMITS  # overdraft, flags, max balance (processor.domain.limits)
    closed: bool = False  # the head is AccountClosed: no event may follow
    pendings: tuple[Hold, ...] = ()  # open two-phase pendings (processor.domain.pending)
    #: the opening's effective time: no command may take effect before it (None: not known,
    #: e.g. a state from a head event the opening is not; ``appends.HeadCache`` fills it in)
    opened_at: datetime | None = field(default=None, compare=False)

    @property
    def pending_debits(self) -> int:
        """Held to leave, expired or not (``pending.pending_debits`` counts the live ones)."""
        return sum(h.amount for h in self.pendings if h.side == "debit")

    @property
    def pending_credits(self) -> int:
        return sum(h.amount for h in self.pendings if h.side == "credit")
