"""Per-account limits and balance flags (issue 11 item 2), pure.

An account's balance (credits - debits, minor units) is bounded by its flags:

- ``debits_must_not_exceed_credits`` (the default, customer accounts): the balance never
  goes below ``-credit_limit`` (the overdraft; 0 by default). A debit past it is declined
  ``low_balance`` when the account has no overdraft, ``limit_exceeded`` when it has one.
- ``credits_must_not_exceed_debits`` (accounts on the bank's side: settlement, FX): the
  balance may go negative without bound and never above 0; a credit past 0 is declined
  ``limit_exceeded``. The two flags exclude each other; with neither the balance is free
  (an internal account such as fees).
- ``max_balance`` (optional): a credit that would take the balance above it is declined
  ``max_balance_exceeded``.

``available`` is THE one function of what may be spent; ``decline_for_debit`` and
``decline_for_credit`` are the only places a limit decides, and ``check_within`` is evolve's
invariant (the flag-aware floor and ceiling).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, StrictBool, model_validator

from acme_base.errors import InvalidInput, InvariantViolation
from processor.domain.currency import MAX_EXPONENT
from processor.domain.events import DeclineReason
from processor.domain.limit_model import Limits
from processor.domain.money import parse_amount

if TYPE_CHECKING:
    from processor.domain.account_state import AccountState

__all__ = [
    "LimitFields",
    "available",
    "check_within",
    "decline_for_credit",
    "decline_for_debit",
]

_ZERO = re.compile(r" *0+(\.0+)? *")


def parse_limit(value: Any) -> Decimal:
    """A limit: a non-negative decimal string (0 allowed), finer places checked later
    against the account's currency."""
    if isinstance(value, str) and _ZERO.fullmatch(value):
        return Decimal(0)
    if isinstance(value, int) and not isinstance(value, bool) and value == 0:
        return Decimal(0)
    return parse_amount(value, places=MAX_EXPONENT)


LimitAmount = Annotated[Decimal, BeforeValidator(parse_limit)]


class LimitFields(BaseModel):
    """The limit fields of ``open_account`` and ``set_limits`` (amounts as decimal strings)."""

    credit_limit: LimitAmount | None = None
    debits_must_not_exceed_credits: StrictBool | None = None
    credits_must_not_exceed_debits: StrictBool | None = None
    max_balance: LimitAmount | None = None

    @model_validator(mode="after")
    def _one_flag(self) -> LimitFields:
        if self.debits_must_not_exceed_credits and self.credits_must_not_exceed_debits:
            raise ValueError(
                "debits_must_not_exceed_credits and credits_must_not_exceed_debits exclude "
                "each other (set the one you want to true, the other to false)"
            )
        return self


def floor(limits: Limits) -> int | None:
    """The lowest balance allowed (None: no floor)."""
    if limits.debits_must_not_exceed_credits:
        return -limits.credit_limit
    return None


def ceiling(limits: Limits) -> int | None:
    """The highest balance allowed (None: no ceiling)."""
    bounds = [limits.max_balance] if limits.max_balance is not None else []
    if limits.credits_must_not_exceed_debits:
        bounds.append(0)
    return min(bounds) if bounds else None


def available(state: AccountState) -> int | None:
    """What may be spent now, in minor units: the posted balance plus the overdraft
    (None: unbounded, an account without ``debits_must_not_exceed_credits``)."""
    low = floor(state.limits)
    return None if low is None else state.balance - low


def decline_for_debit(state: AccountState, amount: int) -> DeclineReason | None:
    """Why a debit of ``amount`` may not leave the account (None: it may)."""
    room = available(state)
    if room is None or amount <= room:
        return None
    return DeclineReason.LIMIT_EXCEEDED if state.limits.credit_limit else DeclineReason.LOW_BALANCE


def decline_for_credit(state: AccountState, amount: int) -> DeclineReason | None:
    """Why a credit of ``amount`` may not enter the account (None: it may)."""
    after, limits = state.balance + amount, state.limits
    if limits.max_balance is not None and after > limits.max_balance:
        return DeclineReason.MAX_BALANCE_EXCEEDED
    if limits.credits_must_not_exceed_debits and after > 0:
        return DeclineReason.LIMIT_EXCEEDED
    return None


def within(limits: Limits, balance: int) -> bool:
    low, high = floor(limits), ceiling(limits)
    return (low is None or balance >= low) and (high is None or balance <= high)


def check_within(where: str, limits: Limits, balance: int) -> None:
    """evolve's invariant: an approved event never takes the balance out of its bounds."""
    if not within(limits, balance):
        raise InvariantViolation(f"{where}: balance {balance} outside the limits {limits}")


def require_within(account_id: str, limits: Limits, balance: int) -> None:
    """``set_limits`` may not put the current balance out of bounds (``rejected``)."""
    if not within(limits, balance):
        raise InvalidInput(
            f"account {account_id!r}: its balance is outside the new limits "
            "(settle the balance first)"
        )
