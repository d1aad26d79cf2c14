"""Limits changes, closing, and the fields every decided event is stamped with (pure).

``decide`` (``processor.domain.decide``) calls these; they never write. Freezing is blocking
(``freeze_account`` is an alias of ``block_account``, ``AccountBlocked`` the one event).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from acme_base.errors import InvalidInput, InvariantViolation, UnknownAccount
from processor.domain.commands import CloseAccount, OpenAccount, SetLimits
from processor.domain.copying import changed
from processor.domain.events import (
    AccountClosed,
    AccountOpened,
    DeclineReason,
    LedgerEvent,
    LimitsSet,
)
from processor.domain.limit_model import DEFAULT_LIMITS, Limits
from processor.domain.limits import require_within
from processor.domain.metadata import trace_of
from processor.domain.money import format_minor, to_minor

if TYPE_CHECKING:
    from processor.domain.account_state import AccountState

__all__ = [
    "DEFAULT_LIMITS",
    "AccountClosedError",
    "close",
    "decide_rule",
    "limit_detail",
    "limits_after",
    "limits_from",
    "opening_limits",
    "refuse_closed",
    "set_limits",
    "stamp",
]


class AccountClosedError(InvalidInput):
    """A command names a closed account (``rejected``, nothing written)."""

    def __init__(self, account_id: str) -> None:
        super().__init__(f"account {account_id!r} is closed")
        self.account_id = account_id


def refuse_closed(state: AccountState | None) -> None:
    if state is not None and state.closed:
        raise AccountClosedError(state.account_id)


def limits_from(cmd: OpenAccount | SetLimits, current: Limits, currency: str) -> Limits:
    """The limits after ``cmd``: the fields it gives replace the current ones."""
    given = cmd.model_fields_set
    update: dict[str, Any] = {}
    if "credit_limit" in given:
        update["credit_limit"] = to_minor(cmd.credit_limit, currency) if cmd.credit_limit else 0
    if "max_balance" in given:
        mb = cmd.max_balance
        update["max_balance"] = None if mb is None else to_minor(mb, currency)
    for flag in ("debits_must_not_exceed_credits", "credits_must_not_exceed_debits"):
        if flag in given and getattr(cmd, flag) is not None:
            update[flag] = getattr(cmd, flag)
    if update.get("credits_must_not_exceed_debits"):
        update.setdefault("debits_must_not_exceed_credits", False)
    if update.get("debits_must_not_exceed_credits"):
        update.setdefault("credits_must_not_exceed_debits", False)
    try:
        limits = replace(current, **update)  # Limits checks its amounts
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    if limits.debits_must_not_exceed_credits and limits.credits_must_not_exceed_debits:
        raise InvalidInput(
            "debits_must_not_exceed_credits and credits_must_not_exceed_debits exclude each other"
        )
    return limits


def _fields(
    state: AccountState, txn_id: str, occurred_at: datetime | None, now: datetime
) -> dict[str, Any]:
    return {
        "account_id": state.account_id,
        "seq": state.seq + 1,
        "txn_id": txn_id,
        "currency": state.currency,
        "amount": 0,
        "balance_after": state.balance,
        "occurred_at": occurred_at or now,
        "blocked": state.blocked,
    }


def set_limits(state: AccountState, cmd: SetLimits, now: datetime) -> LimitsSet:
    limits = limits_from(cmd, state.limits, state.currency)
    require_within(state.account_id, limits, state.balance)
    if limits == state.limits:
        raise InvalidInput(f"account {state.account_id!r} already has these limits")
    return LimitsSet(
        **_fields(state, cmd.txn_id, cmd.occurred_at, now),
        limits=None if limits.is_default else limits,
    )


def _pending_total(state: AccountState) -> int:
    """Money held by pending transfers (two-phase, issue 11 part A), if the state has any."""
    return sum(int(getattr(state, name, 0) or 0) for name in ("pending_debits", "pending_credits"))


def close(state: AccountState, cmd: CloseAccount, now: datetime) -> AccountClosed:
    if state.balance != 0:
        raise InvalidInput(
            f"account {state.account_id!r} has a balance of "
            f"{format_minor(state.balance, state.currency)}: only an account at zero closes"
        )
    if _pending_total(state):
        raise InvalidInput(
            f"account {state.account_id!r} has pending transfers: resolve them first"
        )
    return AccountClosed(**_fields(state, cmd.txn_id, cmd.occurred_at, now), note=cmd.reason)


def decide_rule(
    states: Mapping[str, AccountState], cmd: SetLimits | CloseAccount, now: datetime
) -> LedgerEvent:
    state = states.get(cmd.account_id)
    if state is None:
        raise UnknownAccount(cmd.account_id)
    if isinstance(cmd, SetLimits):
        return set_limits(state, cmd, now)
    return close(state, cmd, now)


def opening_limits(cmd: OpenAccount) -> Limits | None:
    limits = limits_from(cmd, DEFAULT_LIMITS, cmd.currency)
    return None if limits.is_default else limits


def limits_after(state: AccountState, event: LedgerEvent) -> Limits:
    """The limits after ``event``, which it must carry (as it carries the block flag)."""
    carried = event.limits or DEFAULT_LIMITS
    if not isinstance(event, LimitsSet) and carried != state.limits:
        raise InvariantViolation(
            f"{event.account_id} seq {event.seq}: carries limits {carried}, the fold {state.limits}"
        )
    return carried


def limit_detail(reason: DeclineReason) -> str:
    """The ``detail`` of a credit declined by a limit."""
    if reason is DeclineReason.MAX_BALANCE_EXCEEDED:
        return "the balance would exceed the account's max_balance"
    return "a credits_must_not_exceed_debits account may not go above 0"


def stamp(
    events: list[LedgerEvent], states: Mapping[str, AccountState], cmd: Any, now: datetime
) -> list[LedgerEvent]:
    """Every decided event gets ``recorded_at`` (now), the command's tracing fields, and its
    account's limits (unless the event sets them: an opening, ``LimitsSet``)."""
    trace = trace_of(cmd)
    stamped = []
    for event in events:
        update: dict[str, Any] = {"recorded_at": now, **trace}
        state = states.get(event.account_id)
        own_limits = isinstance(event, AccountOpened | LimitsSet)
        if not own_limits and state is not None and not state.limits.is_default:
            update["limits"] = state.limits
        stamped.append(changed(event, **update))
    return stamped
