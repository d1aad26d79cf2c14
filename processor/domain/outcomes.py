"""Outcomes: what `submit` answers for each command (one JSON line each)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from processor.domain.events import LedgerEvent
from processor.domain.money import format_minor

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
    "limits_set",  # set_limits (processor.domain.limits)
    "closed",  # close_account
    "registered",  # register_customer, update_customer (processor.customers)
    "updated",
    "pending",  # two-phase: placed, posted, voided, expired (processor.domain.pending)
    "posted",
    "voided",
    "expired",
]
#: the outcome status of an event kind that is no money transaction
_KIND_STATUS: dict[str, Status] = {
    "open": "opened",
    "block": "blocked",
    "unblock": "unblocked",
    "limits": "limits_set",
    "close": "closed",
}
#: the outcome status of the two-phase events (a posted pending is a money kind)
_TYPE_STATUS: dict[str, Status] = {
    "PendingPlaced": "pending",
    "PendingPosted": "posted",
    "PendingVoided": "voided",
    "PendingExpired": "expired",
}


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
    pending_txn_id: str | None = None  # post_pending, void_pending, the sweeper's expiry
    legs: list[dict[str, Any]] | None = None  # a linked batch: each leg's outcome, in order
    declined_leg: int | None = None  # a declined linked batch: the leg that declined it
    declined_txn_id: str | None = None  # and that leg's txn id
    judged_balance: str | None = None  # a declined leg: the balance it was judged on

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def outcome_of(events: list[LedgerEvent]) -> Outcome:
    """The outcome a command's events amount to (first event is the caller's own account)."""
    first = events[0]
    status: Status = _TYPE_STATUS.get(first.event_type) or _KIND_STATUS.get(
        first.kind, first.status
    )
    outcome = Outcome(
        txn_id=None if first.kind == "open" else first.txn_id,
        status=status,
        account_id=first.account_id,
        seq=first.seq,
        balance_after=format_minor(first.balance_after, first.currency),
        reason=first.decline_reason,
        detail=getattr(first, "detail", None),
        pending_txn_id=None if first.kind == "hold" else getattr(first, "pending_txn_id", None),
        judged_balance=_judged(first),
    )
    if len(events) == 2:
        second = events[1]
        outcome = outcome.model_copy(
            update={
                "to_account": second.account_id,
                "to_seq": second.seq,
                "to_balance_after": format_minor(second.balance_after, second.currency),
            }
        )
    elif first.kind == "transfer_out":
        outcome = outcome.model_copy(update={"to_account": first.counterparty_id})
    return outcome


def _judged(event: LedgerEvent) -> str | None:
    judged: int | None = getattr(event, "judged_balance", None)
    return None if judged is None else format_minor(judged, event.currency)


def as_duplicate(original: Outcome) -> Outcome:
    return original.model_copy(update={"status": "duplicate", "original_status": original.status})


def rejected(error: str, txn_id: str | None = None, account_id: str | None = None) -> Outcome:
    return Outcome(txn_id=txn_id, status="rejected", account_id=account_id, error=error)


def failed(error: str, txn_id: str | None = None) -> Outcome:
    """The backend failed; unlike `rejected`, the write may or may not have happened."""
    return Outcome(txn_id=txn_id, status="failed", error=error)


@dataclass(frozen=True)
class IdempotencyRecord:
    """A command's txn id, its payload fingerprint and the outcome it had the first time."""

    txn_id: str
    fingerprint: str
    outcome: Outcome
