"""Two-phase and linked commands: post or void a pending, and a linked batch of legs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from processor.domain.command_base import AnyAmount, Command, Id, OccurredAt
from processor.domain.command_money import Credit, Debit, Transfer
from processor.domain.metadata import Traced
from processor.domain.pending_model import MAX_LEGS


class PostPending(Command, Traced):
    """Post a pending transfer, debit or credit (``processor.domain.pending``): all of it, or a
    lower ``amount`` (a partial post: the rest is released)."""

    type: Literal["post_pending"]
    txn_id: Id
    pending_txn_id: Id
    amount: AnyAmount | None = None
    occurred_at: OccurredAt | None = None


class VoidPending(Command, Traced):
    """Release a pending transfer, debit or credit in full."""

    type: Literal["void_pending"]
    txn_id: Id
    pending_txn_id: Id
    occurred_at: OccurredAt | None = None


#: the commands that resolve a pending (they name no account: the pending's are found)
Resolution = PostPending | VoidPending
#: what a leg of a linked batch may be
Leg = Annotated[Transfer | Debit | Credit | PostPending | VoidPending, Field(discriminator="type")]


class Linked(Command, Traced):
    """Legs that all succeed or all fail, in one transaction (``processor.domain.linked``): at most
    ``MAX_LEGS`` (from the 100 actions of a transaction), each with its own txn id."""

    type: Literal["linked"]
    txn_id: Id
    legs: list[Leg] = Field(min_length=1)

    @model_validator(mode="after")
    def _bounded(self) -> Linked:
        if len(self.legs) > MAX_LEGS:
            raise ValueError(
                f"a linked batch takes at most {MAX_LEGS} legs (one transaction of 100 items, "
                f"up to 4 per leg), not {len(self.legs)}: split it"
            )
        ids = [self.txn_id, *(leg.txn_id for leg in self.legs)]
        if len(set(ids)) < len(ids):
            raise ValueError("the batch and each of its legs need distinct txn ids")
        return self
