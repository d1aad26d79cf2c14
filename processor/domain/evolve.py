"""The pure fold: ``evolve(state, event) -> state``, ``fold`` and ``apply_all``.

``evolve`` checks what every event must carry (a contiguous seq, the running balance, the
block flag, the limits, the open pendings) and raises ``InvariantViolation`` otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from acme_base.errors import InvariantViolation
from processor.domain.account_state import AccountState
from processor.domain.copying import changed
from processor.domain.events import (
    DEBIT_KINDS,
    AccountBlocked,
    AccountClosed,
    AccountOpened,
    AccountUnblocked,
    HistoryArchived,
    LedgerEvent,
    signed_amount,
)
from processor.domain.lifecycle import limits_after
from processor.domain.limit_model import DEFAULT_LIMITS
from processor.domain.limits import check_within
from processor.domain.pending import pendings_after
from processor.domain.pending_model import Hold


def evolve(state: AccountState | None, event: LedgerEvent) -> AccountState:
    """Fold one event into the account state, checking seq contiguity and the running balance."""
    if isinstance(event, AccountOpened):
        if state is not None or event.seq != 0 or event.balance_after != 0 or event.blocked:
            raise InvariantViolation(f"bad AccountOpened for {event.account_id}")
        limits = event.limits or DEFAULT_LIMITS
        check_within(f"{event.account_id} opening", limits, 0)
        return AccountState(
            event.account_id, event.customer_id, event.currency, 0, 0, limits=limits,
            opened_at=event.occurred_at,
        )  # fmt: skip
    if isinstance(event, HistoryArchived):
        return _resume(state, event)
    if state is None:
        raise InvariantViolation(f"event {event.seq} of {event.account_id} before AccountOpened")
    if state.closed:
        raise InvariantViolation(f"{event.account_id}: event {event.seq} after the close")
    if event.seq != state.seq + 1:
        raise InvariantViolation(f"{event.account_id}: seq {event.seq} does not follow {state.seq}")
    balance = state.balance + signed_amount(event)
    if balance != event.balance_after:
        raise InvariantViolation(
            f"{event.account_id} seq {event.seq}: balance_after {event.balance_after} "
            f"but the fold gives {balance}"
        )
    limits = limits_after(state, event)
    check_within(f"{event.account_id} seq {event.seq}", limits, balance)
    return changed(
        state,
        balance=balance,
        seq=event.seq,
        blocked=_blocked_after(state, event),
        limits=limits,
        closed=isinstance(event, AccountClosed),
        pendings=_pendings_carried(state, event),
    )


def _pendings_carried(state: AccountState, event: LedgerEvent) -> tuple[Hold, ...]:
    """The open pendings after ``event``, which it must carry (``processor.domain.pending``)."""
    after = pendings_after(state, event)
    if tuple(event.pendings or ()) != after:
        raise InvariantViolation(
            f"{event.account_id} seq {event.seq}: carries pendings {event.pendings}, "
            f"the fold {after}"
        )
    return after


def _blocked_after(state: AccountState, event: LedgerEvent) -> bool:
    """The block flag after ``event``, which the event must carry; no approved money may
    leave a blocked account, and only an unblocked account can be blocked (and back)."""
    blocked = state.blocked
    where = f"{event.account_id} seq {event.seq}"
    if isinstance(event, AccountBlocked | AccountUnblocked):
        if blocked == isinstance(event, AccountBlocked) or event.amount:
            raise InvariantViolation(f"{where}: {event.event_type} while blocked={blocked}")
        blocked = not blocked
    elif blocked and event.approved and event.kind in DEBIT_KINDS:
        raise InvariantViolation(f"{where}: money left a blocked account")
    if event.blocked != blocked:
        raise InvariantViolation(f"{where}: carries blocked={event.blocked}, the fold {blocked}")
    return blocked


def _resume(state: AccountState | None, event: HistoryArchived) -> AccountState:
    """An archival snapshot: the live stream starts from it (``state`` None), or, when the
    archived events were folded first, it must agree with them on the whole state (a
    checkpoint)."""
    if event.amount != 0 or event.seq < 1:
        raise InvariantViolation(f"bad HistoryArchived for {event.account_id}")
    resumed = snapshot_state(event)
    check_within(
        f"{event.account_id} snapshot at seq {event.seq}", resumed.limits, event.balance_after
    )
    if state is None:
        return resumed
    if state != resumed:
        raise InvariantViolation(
            f"{event.account_id}: snapshot at seq {event.seq} ({resumed}) disagrees with the "
            f"archived events ({state})"
        )
    return state


def snapshot_state(event: HistoryArchived) -> AccountState:
    """The whole account state a snapshot carries."""
    return AccountState(
        event.account_id,
        event.customer_id,
        event.currency,
        event.balance_after,
        event.seq,
        event.blocked,
        event.limits or DEFAULT_LIMITS,
        closed=event.closed,
        pendings=tuple(event.pendings or ()),
        opened_at=event.opened_at,
    )


def fold(events: Iterable[LedgerEvent], state: AccountState | None = None) -> AccountState | None:
    for event in events:
        state = evolve(state, event)
    return state


def apply_all(
    states: Mapping[str, AccountState], events: Iterable[LedgerEvent]
) -> dict[str, AccountState]:
    """States after the events (used to decide several commands of one group in a row)."""
    result = dict(states)
    for event in events:
        result[event.account_id] = evolve(result.get(event.account_id), event)
    return result
