"""The loyalty commands (seed 004): EARN for an order and REDEEM, keyed by ``transactionId``.

Pydantic, ``extra="forbid"``, like the ledger's: amounts are decimal strings (no floats),
points whole numbers; ``parse_loyalty`` turns a raw dict into one or ``InvalidInput``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from pydantic import Field, model_validator

from apps.common import explain_as
from processor.domain.commands import Command, Currency, Id, Note
from processor.domain.money import parse_amount
from processor.domain.registry import CommandType, Registry

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
#: the loyalty app's command types (``processor.domain.registry``)
LOYALTY_COMMANDS = (
    CommandType("earn", EarnPoints, "loyalty", "earn points for an order"),
    CommandType("redeem", RedeemPoints, "loyalty", "spend points"),
)
LOYALTY = Registry(LOYALTY_COMMANDS, what="loyalty command", explain=explain_as("loyalty command"))


def parse_loyalty(raw: dict[str, Any]) -> LoyaltyCommand:
    """A loyalty command from a dict (``InvalidInput`` naming the bad fields)."""
    return cast(LoyaltyCommand, LOYALTY.decode(raw))
