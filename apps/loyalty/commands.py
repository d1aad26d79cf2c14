"""The loyalty commands (seed 004): EARN for an order and REDEEM, keyed by ``transactionId``.

Pydantic, ``extra="forbid"``, like the ledger's: amounts are decimal strings (no floats),
points whole numbers; ``parse_loyalty`` turns a raw dict into one or ``InvalidInput``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, model_validator

from apps.common import parse_with
from processor.domain.commands import Command, Currency, Id, Note
from processor.domain.money import parse_amount

MAX_POINTS = 10**12


class EarnPoints(Command):
    type: Literal["earn"]
    transaction_id: Id
    user_id: Id
    order_id: Id
    amount: Annotated[Any, Field(description="order amount, a decimal string")]
    currency: Currency = "USD"
    description: Note | None = None

    @model_validator(mode="after")
    def _amount(self) -> EarnPoints:
        parse_amount(self.amount, self.currency)  # InvalidInput: not a positive amount
        return self


class RedeemPoints(Command):
    type: Literal["redeem"]
    transaction_id: Id
    user_id: Id
    points: Annotated[int, Field(strict=True, ge=1, le=MAX_POINTS)]
    description: Note | None = None


LoyaltyCommand = EarnPoints | RedeemPoints
_ADAPTER: TypeAdapter[LoyaltyCommand] = TypeAdapter(
    Annotated[LoyaltyCommand, Field(discriminator="type")]
)


def parse_loyalty(raw: dict[str, Any]) -> LoyaltyCommand:
    """A loyalty command from a dict (``InvalidInput`` naming the bad fields)."""
    return parse_with(_ADAPTER, raw, "loyalty command")
