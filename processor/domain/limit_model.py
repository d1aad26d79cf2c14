"""An account's limits as events and states carry them (the rules are in
``processor.domain.limits``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Limits(BaseModel):
    """Minor units of the account's currency; the defaults are a customer account's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    credit_limit: int = Field(default=0, ge=0)
    debits_must_not_exceed_credits: bool = True
    credits_must_not_exceed_debits: bool = False
    max_balance: int | None = Field(default=None, ge=0)

    @property
    def is_default(self) -> bool:
        return self == DEFAULT_LIMITS


DEFAULT_LIMITS = Limits()
