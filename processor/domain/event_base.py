"""The base of every event: the fields all carry, the decline codes, the credit channels.

The events themselves live by family (``event_money``, ``event_pending``,
``event_lifecycle``); ``processor.domain.events`` re-exports them all with the union.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

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


@dataclass(frozen=True, slots=True, kw_only=True)
class EventBase:
    """The fields every event carries. Events are plain frozen dataclasses: the commands
    they are decided from were validated at the edge (pydantic), ``decide`` builds them from
    checked values (amounts and seqs >= 0), and the codec (``processor.storage.codec``) checks
    what it reads from the store. The one check on construction is the cheap one that
    decides what is stored: every datetime is timezone-aware and kept in UTC."""

    account_id: str
    seq: int
    txn_id: str
    currency: str
    amount: int  # minor units, >= 0
    balance_after: int  # minor units
    occurred_at: datetime  # timezone-aware, UTC
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

    def __post_init__(self) -> None:
        for name in _DATETIMES.get(type(self)) or _datetime_fields(type(self)):
            value = getattr(self, name)
            if value is not None and value.tzinfo is not UTC:
                object.__setattr__(self, name, _utc(name, value))

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


#: per event class, its datetime fields (filled on first use)
_DATETIMES: dict[type, tuple[str, ...]] = {}


def _datetime_fields(cls: type) -> tuple[str, ...]:
    names = tuple(f.name for f in fields(cls) if str(f.type).startswith("datetime"))
    _DATETIMES[cls] = names
    return names


def _utc(name: str, value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)
