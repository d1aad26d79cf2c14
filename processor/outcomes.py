"""Outcomes: what `submit` answers for each command (one JSON line each)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from processor.events import LedgerEvent
from processor.money import format_minor

Status = Literal[
    "approved",
    "declined",
    "duplicate",
    "rejected",
    "opened",
    "failed",
    "created",  # offers: create_offer, send_offer, respond_offer (processor.offers)
    "sent",
    "responded",
    "blocked",  # block_account, unblock_account
    "unblocked",
    "registered",  # register_customer, update_customer (processor.customers)
    "updated",
]
#: the outcome status of an event kind that is no money transaction
_KIND_STATUS: dict[str, Status] = {"open": "opened", "block": "blocked", "unblock": "unblocked"}


class Outcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    txn_id: str | None = None
    status: Status
    account_id: str | None = None
    seq: int | None = None
    balance_after: str | None = None
    reason: str | None = None
    detail: str | None = None  # why a check deposit was declined illegible_check
    error: str | None = None
    to_account: str | None = None
    to_seq: int | None = None
    to_balance_after: str | None = None
    original_status: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def outcome_of(events: list[LedgerEvent]) -> Outcome:
    """The outcome a command's events amount to (first event is the caller's own account)."""
    first = events[0]
    status: Status = _KIND_STATUS.get(first.kind, first.status)
    outcome = Outcome(
        txn_id=None if first.kind == "open" else first.txn_id,
        status=status,
        account_id=first.account_id,
        seq=first.seq,
        balance_after=format_minor(first.balance_after),
        reason=first.decline_reason,
        detail=getattr(first, "detail", None),
    )
    if len(events) == 2:
        second = events[1]
        outcome = outcome.model_copy(
            update={
                "to_account": second.account_id,
                "to_seq": second.seq,
                "to_balance_after": format_minor(second.balance_after),
            }
        )
    elif first.kind == "transfer_out":
        outcome = outcome.model_copy(update={"to_account": first.counterparty_id})
    return outcome


def as_duplicate(original: Outcome) -> Outcome:
    return original.model_copy(update={"status": "duplicate", "original_status": original.status})


def rejected(error: str, txn_id: str | None = None, account_id: str | None = None) -> Outcome:
    return Outcome(txn_id=txn_id, status="rejected", account_id=account_id, error=error)


def failed(error: str, txn_id: str | None = None) -> Outcome:
    """The backend failed; unlike `rejected`, the write may or may not have happened."""
    return Outcome(txn_id=txn_id, status="failed", error=error)
