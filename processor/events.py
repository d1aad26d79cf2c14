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
    """Every decline code; the declined report queries each one (seed iteration 6)."""

    LOW_BALANCE = "low_balance"


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    account_id: str
    seq: int = Field(ge=0)
    txn_id: str
    currency: str
    amount: int = Field(ge=0, description="minor units")
    balance_after: int = Field(description="minor units")
    occurred_at: datetime

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


LedgerEvent = Annotated[
    AccountOpened
    | FundsCredited
    | FundsDebited
    | DebitDeclined
    | TransferSent
    | TransferReceived
    | TransferDeclined,
    Field(discriminator="event_type"),
]
EVENT_ADAPTER: TypeAdapter[LedgerEvent] = TypeAdapter(LedgerEvent)

CREDIT_KINDS = frozenset({"credit", "transfer_in"})
DEBIT_KINDS = frozenset({"debit", "transfer_out"})


def signed_amount(event: LedgerEvent) -> int:
    """The event's effect on the balance: + for approved credits, - for approved debits."""
    if not event.approved or event.kind == "open":
        return 0
    return event.amount if event.kind in CREDIT_KINDS else -event.amount
