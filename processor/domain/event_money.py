"""Money events: credits, debits and transfers, approved or declined
(``processor.domain.events``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from processor.domain.event_base import CreditChannel, DeclineReason, EventBase

# ``judged_balance``: a declined leg of a linked batch: the balance it was judged on, after
# the earlier legs (minor units; ``balance_after`` stays the account's real balance: those
# legs were not written). Stored only when set.


@dataclass(frozen=True, slots=True, kw_only=True)
class FundsCredited(EventBase):
    event_type: Literal["FundsCredited"] = "FundsCredited"
    kind: Literal["credit"] = "credit"
    status: Literal["approved"] = "approved"
    channel: CreditChannel | None = None  # stored only when given (older items: None)
    check_number: str | None = None  # a check deposit's number


@dataclass(frozen=True, slots=True, kw_only=True)
class FundsDebited(EventBase):
    event_type: Literal["FundsDebited"] = "FundsDebited"
    kind: Literal["debit"] = "debit"
    status: Literal["approved"] = "approved"


@dataclass(frozen=True, slots=True, kw_only=True)
class DebitDeclined(EventBase):
    event_type: Literal["DebitDeclined"] = "DebitDeclined"
    judged_balance: int | None = None  # minor units
    kind: Literal["debit"] = "debit"
    status: Literal["declined"] = "declined"
    reason: DeclineReason


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferSent(EventBase):
    event_type: Literal["TransferSent"] = "TransferSent"
    kind: Literal["transfer_out"] = "transfer_out"
    status: Literal["approved"] = "approved"
    counterparty: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferReceived(EventBase):
    event_type: Literal["TransferReceived"] = "TransferReceived"
    kind: Literal["transfer_in"] = "transfer_in"
    status: Literal["approved"] = "approved"
    counterparty: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferDeclined(EventBase):
    event_type: Literal["TransferDeclined"] = "TransferDeclined"
    judged_balance: int | None = None  # minor units
    kind: Literal["transfer_out"] = "transfer_out"
    status: Literal["declined"] = "declined"
    reason: DeclineReason
    counterparty: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DepositDeclined(EventBase):
    """A credit recorded as declined (a check that does not read): the balance is unchanged."""

    event_type: Literal["DepositDeclined"] = "DepositDeclined"
    version: Literal[1] = 1
    kind: Literal["credit"] = "credit"
    status: Literal["declined"] = "declined"
    reason: DeclineReason
    channel: CreditChannel | None = None  # None: a credit declined by a limit, not a check
    check_number: str | None = None  # as written on the check, maybe unreadable
    detail: str  # what did not read (at most 400 characters)
    judged_balance: int | None = None  # minor units
