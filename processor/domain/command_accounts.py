"""Account commands: open, block/unblock (freeze/unfreeze), set limits, close."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from processor.domain.command_base import Command, Currency, Id, Note, OccurredAt
from processor.domain.limits import LimitFields
from processor.domain.metadata import Traced
from processor.domain.money import to_minor


class OpenAccount(Command, Traced, LimitFields):
    """Open an account for a registered customer (``register_customer``: the customer's
    phone, state and statuses belong to the customer, not to an opening), in a currency fixed
    for its life, with optional limits (``processor.domain.limits``)."""

    type: Literal["open_account"]
    account_id: Id
    customer_id: Id
    currency: Currency = "USD"
    #: when the account takes effect (an account moved from another system keeps its
    #: opening date); no transaction may take effect before it. Default: now
    occurred_at: OccurredAt | None = None

    ADDED_LATER = (
        "occurred_at",
        "credit_limit",
        "debits_must_not_exceed_credits",
        "credits_must_not_exceed_debits",
        "max_balance",
    )

    @model_validator(mode="after")
    def _limits_in_currency(self) -> OpenAccount:
        for amount in (self.credit_limit, self.max_balance):
            if amount:
                to_minor(amount, self.currency)  # InvalidInput: too many places
        return self


class BlockAccount(Command, Traced):
    """Stop money leaving an account: later debits and outgoing transfers are declined
    ``unauthorized``; credits and incoming transfers are still accepted.
    ``freeze_account`` is the same command under the name of issue 11 (an alias: one state,
    ``blocked``, one event, ``AccountBlocked``)."""

    type: Literal["block_account", "freeze_account"]
    txn_id: Id
    account_id: Id
    reason: Note
    occurred_at: OccurredAt | None = None


class UnblockAccount(Command, Traced):
    type: Literal["unblock_account", "unfreeze_account"]
    txn_id: Id
    account_id: Id
    reason: Note | None = None
    occurred_at: OccurredAt | None = None


class SetLimits(Command, Traced, LimitFields):
    """Change an account's limits: the fields given change, the others stay; ``max_balance``
    null removes it. Rejected if the current balance is outside the new limits."""

    type: Literal["set_limits"]
    txn_id: Id
    account_id: Id
    occurred_at: OccurredAt | None = None

    @model_validator(mode="after")
    def _something(self) -> SetLimits:
        names = set(LimitFields.model_fields)
        if not names & self.model_fields_set:
            raise ValueError(f"set_limits needs at least one of {', '.join(sorted(names))}")
        return self

    def fingerprint(self) -> str:
        """An absent ``max_balance`` (keep) and a null one (remove) are other payloads."""
        cleared = "max_balance" in self.model_fields_set and self.max_balance is None
        return super().fingerprint() + ("-clear" if cleared else "")


class CloseAccount(Command, Traced):
    """Close an account for good: only at a zero balance (and nothing pending); every later
    command naming it is ``rejected`` "account closed"."""

    type: Literal["close_account"]
    txn_id: Id
    account_id: Id
    reason: Note | None = None
    occurred_at: OccurredAt | None = None
