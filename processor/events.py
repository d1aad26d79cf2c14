"""Events: immutable facts, named in the past tense, one account's stream each.

Every event carries its ``seq`` within the account's stream and the running
``balance_after`` (minor units), so the event log alone is the truth.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator


class DeclineReason(StrEnum):
    """Every decline code, the one closed list (seed iteration 6): the declined report and #13
    query the sparse index once per member, and ``report declined --reason`` offers these.

    - ``low_balance``: a debit or outgoing transfer larger than the balance;
    - ``unauthorized``: a debit or outgoing transfer from a blocked account;
    - ``illegible_check``: a check deposit whose check does not read (``processor.checks``).
    """

    LOW_BALANCE = "low_balance"
    UNAUTHORIZED = "unauthorized"
    ILLEGIBLE_CHECK = "illegible_check"


#: How a credit arrived; ``check`` needs the check's fields (``commands.Check``).
CreditChannel = Literal["cash", "ach", "wire", "check"]


class _Event(BaseModel):
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

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")
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


class AccountOpened(_Event):
    event_type: Literal["AccountOpened"] = "AccountOpened"
    kind: Literal["open"] = "open"
    status: Literal["approved"] = "approved"
    customer_id: str


class FundsCredited(_Event):
    event_type: Literal["FundsCredited"] = "FundsCredited"
    kind: Literal["credit"] = "credit"
    status: Literal["approved"] = "approved"
    channel: CreditChannel | None = None  # stored only when given (older items: None)
    check_number: str | None = None  # a check deposit's number


class FundsDebited(_Event):
    event_type: Literal["FundsDebited"] = "FundsDebited"
    kind: Literal["debit"] = "debit"
    status: Literal["approved"] = "approved"


class DebitDeclined(_Event):
    event_type: Literal["DebitDeclined"] = "DebitDeclined"
    kind: Literal["debit"] = "debit"
    status: Literal["declined"] = "declined"
    reason: DeclineReason


class TransferSent(_Event):
    event_type: Literal["TransferSent"] = "TransferSent"
    kind: Literal["transfer_out"] = "transfer_out"
    status: Literal["approved"] = "approved"
    counterparty: str


class TransferReceived(_Event):
    event_type: Literal["TransferReceived"] = "TransferReceived"
    kind: Literal["transfer_in"] = "transfer_in"
    status: Literal["approved"] = "approved"
    counterparty: str


class TransferDeclined(_Event):
    event_type: Literal["TransferDeclined"] = "TransferDeclined"
    kind: Literal["transfer_out"] = "transfer_out"
    status: Literal["declined"] = "declined"
    reason: DeclineReason
    counterparty: str


class HistoryArchived(_Event):
    """A snapshot of the account at an archival cut (``acme-txn archive``), version 1.

    It takes the place of the last archived event: the same ``seq`` and ``balance_after``,
    and that event's ``occurred_at``, so the live stream stays contiguous and its head, its
    fold and the next seq are unchanged. Events ``0..seq`` live on in the archive table.
    It keeps what the deleted ``AccountOpened`` knew (``customer_id``, ``currency``). Like an
    opening it is no transaction (``kind`` ``open``, ``amount`` 0): no daily total, no
    decline, no effect on the balance; the projection never applies it (the stream handler
    skips it, see ``processor.archive``).
    """

    event_type: Literal["HistoryArchived"] = "HistoryArchived"
    kind: Literal["open"] = "open"
    status: Literal["approved"] = "approved"
    version: Literal[1] = 1
    customer_id: str
    archived_events: int = Field(ge=1, description="events 0..seq, now in the archive")
    archived_before: str = Field(description="the cut date: events before it were moved")
    archived_at: datetime

    @field_validator("archived_at")
    @classmethod
    def _utc_archived(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("archived_at must be timezone-aware")
        return value.astimezone(UTC)


class DepositDeclined(_Event):
    """A credit recorded as declined (a check that does not read): the balance is unchanged."""

    event_type: Literal["DepositDeclined"] = "DepositDeclined"
    version: Literal[1] = 1
    kind: Literal["credit"] = "credit"
    status: Literal["declined"] = "declined"
    reason: DeclineReason
    channel: CreditChannel
    check_number: str | None = None  # as written on the check, maybe unreadable
    detail: str = Field(max_length=400, description="what did not read")


class AccountBlocked(_Event):
    """Money may no longer leave the account (debits and outgoing transfers are declined
    ``unauthorized``); credits are still accepted. ``amount`` is 0, the balance unchanged."""

    event_type: Literal["AccountBlocked"] = "AccountBlocked"
    version: Literal[1] = 1
    kind: Literal["block"] = "block"
    status: Literal["approved"] = "approved"
    note: str = Field(max_length=200, description="why (the command's reason)")


class AccountUnblocked(_Event):
    event_type: Literal["AccountUnblocked"] = "AccountUnblocked"
    version: Literal[1] = 1
    kind: Literal["unblock"] = "unblock"
    status: Literal["approved"] = "approved"
    note: str | None = Field(default=None, max_length=200)


LedgerEvent = Annotated[
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
    | HistoryArchived,
    Field(discriminator="event_type"),
]
EVENT_ADAPTER: TypeAdapter[LedgerEvent] = TypeAdapter(LedgerEvent)

CREDIT_KINDS = frozenset({"credit", "transfer_in"})
DEBIT_KINDS = frozenset({"debit", "transfer_out"})
#: events that are no money transaction: no amount, no daily totals, never declined
NON_MONEY_KINDS = frozenset({"open", "block", "unblock"})


def signed_amount(event: LedgerEvent) -> int:
    """The event's effect on the balance: + for approved credits, - for approved debits."""
    if not event.approved or event.kind in NON_MONEY_KINDS:
        return 0
    return event.amount if event.kind in CREDIT_KINDS else -event.amount
