"""An account's limits as events and states carry them (the rules are in
``processor.domain.limits``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Minor units of the account's currency; the defaults are a customer account's.

    A plain frozen dataclass (events carry it); the amounts are checked on construction,
    which is rare (a ``set_limits``, or an event read back with limits set)."""

    credit_limit: int = 0
    debits_must_not_exceed_credits: bool = True
    credits_must_not_exceed_debits: bool = False
    max_balance: int | None = None

    def __post_init__(self) -> None:
        if self.credit_limit < 0 or (self.max_balance is not None and self.max_balance < 0):
            raise ValueError("credit_limit and max_balance must be >= 0")

    @property
    def is_default(self) -> bool:
        return self == DEFAULT_LIMITS


DEFAULT_LIMITS = Limits()
