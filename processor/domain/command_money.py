"""Money commands: credit (cash, ACH, wire, a deposited check), debit, transfer; each may be
pending (``processor.domain.pending_model.PendingFields``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, model_validator

from processor.domain.command_base import CheckText, Id, MoneyBase, printable
from processor.domain.event_base import CreditChannel
from processor.domain.pending_model import PendingFields


class Check(BaseModel):
    """A deposited check's face: its shape only (exactly these strings, bounded; anything else
    is ``rejected``). Whether it *reads* (ABA routing checksum, a check number of digits, the
    amount in words) is decided later: a check that does not read is a recorded decline,
    ``illegible_check`` (``processor.domain.checks``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    number: CheckText
    routing: CheckText
    amount_in_words: Annotated[str, StringConstraints(max_length=200), AfterValidator(printable)]


class Credit(MoneyBase, PendingFields):
    type: Literal["credit"]
    account_id: Id
    channel: CreditChannel | None = None
    check: Check | None = None

    ADDED_LATER = ("channel", "check", "pending", "timeout_s")

    @model_validator(mode="after")
    def _check_deposit(self) -> Credit:
        if (self.channel == "check") != (self.check is not None):
            raise ValueError(
                'a check deposit has "channel": "check" and a "check" object '
                '{"number", "routing", "amount_in_words"}; other credits have no "check"'
            )
        return self


class Debit(MoneyBase, PendingFields):
    type: Literal["debit"]
    account_id: Id

    ADDED_LATER = ("pending", "timeout_s")


class Transfer(MoneyBase, PendingFields):
    type: Literal["transfer"]
    from_account: Id
    to_account: Id

    ADDED_LATER = ("pending", "timeout_s")

    @model_validator(mode="after")
    def _distinct_accounts(self) -> Transfer:
        if self.from_account == self.to_account:
            raise ValueError("from_account and to_account must differ")
        return self
