"""The base of every event: the fields all carry, the decline codes, the credit channels.

The events themselves live by family (``event_money``, ``event_pending``,
``event_lifecycle``); ``processor.domain.events`` re-exports them all with the union.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from processor.domain.limit_model import Limits
from processor.domain.pending_model import Hold


class DeclineReason(StrEnum):
    """Every decline code, the one closed list (seed iteration 6): the declined report and #13
    query the sparse index once per member, and ``report declined --reason`` offers these.

    - ``low_balance``: a debit or outgoing transfer larger than the balance;
    - ``unauthorized``: a debit or outgoing transfer from a blocked account;
    - ``illegible_check``: a check deposit whose check does not read (``processor.domain.checks``);
    - ``limit_exceeded``: a debit past the account's overdraft (``credit_limit``), or a credit
      taking a ``credits_must_not_exceed_debits`` account above 0 (``processor.domain.limits``);
    - ``max_balance_exceeded``: a credit or incoming transfer above the ``max_balance``.
    """

    LOW_BALANCE = "low_balance"
    UNAUTHORIZED = "unauthorized"
    ILLEGIBLE_CHECK = "illegible_check"
    LIMIT_EXCEEDED = "limit_exceeded"
    MAX_BALANCE_EXCEEDED = "max_balance_exceeded"


#: How a credit arrived; ``check`` needs the check's fields (``commands.Check``).
CreditChannel = Literal["cash", "ach", "wire", "check"]


class EventBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    account_id: str
    seq: int = Field(ge=0)
    txn_id: str
    currency: str
    amount: int = Field(ge=0, description="minor units")
    balance_after: int = Field(description="minor units")
    occurred_at: datetime
    #: the account's block flag after this event, carried like ``balance_after`` so the head
    #: event alone gives the state; stored only while True (older items read as False)
    blocked: bool = False
    #: the account's limits after this event, carried like ``blocked`` (None: the defaults,
    #: stored only when set; ``processor.domain.limits``)
    limits: Limits | None = None
    #: when the ledger wrote the event (``occurred_at`` is the effective time, maybe the
    #: client's, in the past); version-1 items read it as their ``occurred_at``
    recorded_at: datetime | None = None
    #: the command's tracing fields (``processor.domain.metadata``), stored only when given
    correlation_id: str | None = None
    causation_id: str | None = None
    metadata: dict[str, str] | None = None
    #: who sent the command (``processor.domain.metadata.PrincipalId``); older events have none
    principal: str | None = None
    #: the account's open pendings after this event (``processor.domain.pending``), carried like
    #: ``blocked``; stored only while there are any
    pendings: tuple[Hold, ...] | None = None

    @field_validator("occurred_at", "recorded_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("occurred_at and recorded_at must be timezone-aware")
        return value.astimezone(UTC)

    @property
    def txn_date(self) -> str:
        return self.occurred_at.date().isoformat()

    @property
    def approved(self) -> bool:
        return getattr(self, "status", "approved") == "approved"

    @property
    def decline_reason(self) -> str | None:
        return getattr(self, "reason", None)

    @property
    def counterparty_id(self) -> str | None:
        return getattr(self, "counterparty", None)
