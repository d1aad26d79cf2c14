"""Two-phase transfers, holds and their expiry (issue 11 item 1), pure.

A pending command reserves money: ``PendingPlaced`` on each account (the sender's side a
pending debit, the receiver's a pending credit); nothing is posted. ``post_pending`` posts
all of it or less (the rest released), ``void_pending`` releases it, and a pending past
``expires_at`` counts as released from that instant on, whenever the sweeper records its
``PendingExpired`` (so a late sweeper never changes an outcome: posting an expired pending is
refused at decide time, from the injected clock).

Balances: ``posted`` is the balance (``balance_after``); ``pending_debits`` and
``pending_credits`` sum the live holds; ``available`` = posted - pending_debits (+ the
overdraft): ``available_now``, the one function both the decisions and the reads use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from acme_base.errors import InvalidInput, InvariantViolation
from processor.domain.commands import Credit, Debit, PostPending, Resolution, Transfer
from processor.domain.copying import changed
from processor.domain.event_pending import PostedKind
from processor.domain.events import (
    DebitDeclined,
    DeclineReason,
    DepositDeclined,
    LedgerEvent,
    PendingExpired,
    PendingPlaced,
    PendingPosted,
    PendingVoided,
)
from processor.domain.limits import available, decline_for_credit, decline_for_debit, within
from processor.domain.money import format_minor, to_minor
from processor.domain.pending_model import (
    MAX_HOLDS_PER_SENDER,
    MAX_INCOMING_HOLDS,
    MAX_OWN_HOLDS,
    Hold,
    Side,
)

if TYPE_CHECKING:
    from processor.domain.account_state import AccountState

__all__ = [
    "announced",
    "available_now",
    "balance_fields",
    "carry_pendings",
    "expire_events",
    "pending_credits",
    "pending_debits",
    "pendings_after",
    "place_single",
    "place_transfer",
    "resolve",
    "spendable",
]

_RESOLVED = (PendingPosted, PendingVoided, PendingExpired)
_HOLD_EVENTS = (PendingPlaced, *_RESOLVED)  # the events that change the open holds


def _live(state: AccountState, side: Side, now: datetime) -> int:
    return sum(h.amount for h in state.pendings if h.side == side and h.live(now))


def pending_debits(state: AccountState, now: datetime) -> int:
    """Money reserved to leave the account by live (unexpired) pendings."""
    return _live(state, "debit", now)


def pending_credits(state: AccountState, now: datetime) -> int:
    """Money announced to arrive by live pendings (not spendable before it is posted)."""
    return _live(state, "credit", now)


def spendable(state: AccountState, now: datetime) -> AccountState:
    """The state a debit is judged on: the posted balance less the live pending debits."""
    return replace(state, balance=state.balance - pending_debits(state, now))


def announced(state: AccountState, now: datetime) -> AccountState:
    """The state a pending credit is judged on: the posted balance plus the live pending
    credits, so a pending that could never post (past ``max_balance`` beside the others) is
    declined at placement."""
    return replace(state, balance=state.balance + pending_credits(state, now))


def available_now(state: AccountState, now: datetime) -> int | None:
    """posted - pending_debits (+ the overdraft); None: unbounded (``limits.available``)."""
    return available(spendable(state, now))


def _hold_of(event: PendingPlaced) -> Hold:
    return Hold(
        txn_id=event.pending_txn_id,
        side=event.side,
        amount=event.amount,
        expires_at=event.expires_at,
        counterparty=event.counterparty,
    )


def pendings_after(state: AccountState, event: LedgerEvent) -> tuple[Hold, ...]:
    """The open holds after ``event`` (evolve checks the event carries them): a pending is
    placed once, and resolved (posted, voided, expired) at most once, releasing exactly the
    amount it reserved."""
    if not isinstance(event, _HOLD_EVENTS):
        return state.pendings  # neither places nor resolves one: the holds are unchanged
    where = f"{event.account_id} seq {event.seq}"
    holds = {h.txn_id: h for h in state.pendings}
    if isinstance(event, PendingPlaced):
        if event.pending_txn_id in holds or event.pending_txn_id != event.txn_id:
            raise InvariantViolation(f"{where}: pending {event.pending_txn_id} placed twice")
        holds[event.pending_txn_id] = _hold_of(event)
    elif isinstance(event, _RESOLVED):
        hold = holds.pop(event.pending_txn_id, None)
        if hold is None:
            raise InvariantViolation(f"{where}: pending {event.pending_txn_id} is not open")
        extra = event.released if isinstance(event, PendingPosted) else 0
        if event.amount + extra != hold.amount:
            raise InvariantViolation(f"{where}: settles {event.amount}, held {hold.amount}")
    return tuple(holds.values())


def carry_pendings(
    events: Iterable[LedgerEvent], states: Mapping[str, AccountState]
) -> list[LedgerEvent]:
    """Stamp every decided event with its account's open holds after it."""
    running = {a: s.pendings for a, s in states.items()}
    carried = []
    for event in events:
        state = states.get(event.account_id)
        if state is None:  # an opening: nothing pending yet
            carried.append(event)
            continue
        held = running[event.account_id]
        after = pendings_after(
            state if held is state.pendings else replace(state, pendings=held), event
        )
        running[event.account_id] = after
        carry = after or None
        # most events carry what they were decided with (none): no copy then
        carried.append(event if carry == event.pendings else changed(event, pendings=carry))
    return carried


def _placed(
    state: AccountState, fields: dict[str, Any], side: Side, counterparty: str | None, timeout: int
) -> PendingPlaced:
    if any(h.txn_id == fields["txn_id"] for h in state.pendings):
        raise InvalidInput(f"txn {fields['txn_id']!r} is already an open pending")
    refuse_full(state, side, counterparty)
    # the ledger's clock, never the caller's occurred_at: a pending dated 2099 (or 1999)
    # lives exactly timeout_s from when it was recorded
    expires_at = expiry_of(fields["recorded_now"], timeout)
    body = {k: v for k, v in fields.items() if k != "recorded_now"}
    return PendingPlaced(
        **body,
        balance_after=state.balance,
        pending_txn_id=fields["txn_id"],
        side=side,
        counterparty=counterparty,
        timeout_s=timeout,
        expires_at=expires_at,
    )


def expiry_of(recorded_at: datetime, timeout_s: int) -> datetime:
    """When a pending recorded at ``recorded_at`` expires (the ledger's time, not the claim)."""
    return recorded_at + timedelta(seconds=timeout_s)


def refuse_full(state: AccountState, side: Side, counterparty: str | None) -> None:
    """``InvalidInput`` when the slots this hold would take are all used
    (``pending_model``: the account's own holds, holds placed toward it, one sender's)."""
    own = [h for h in state.pendings if h.side == "debit"]
    if side == "debit":
        if len(own) >= MAX_OWN_HOLDS:
            raise InvalidInput(
                f"account {state.account_id!r} has {MAX_OWN_HOLDS} open holds of its own: "
                "post or void some first"
            )
        return
    incoming = [h for h in state.pendings if h.side == "credit"]
    if len(incoming) >= MAX_INCOMING_HOLDS:
        raise InvalidInput(
            f"account {state.account_id!r} has {MAX_INCOMING_HOLDS} open pendings held for it "
            "by others: post or void some first"
        )
    if counterparty is not None:
        mine = [h for h in incoming if h.counterparty == counterparty]
        if len(mine) >= MAX_HOLDS_PER_SENDER:
            raise InvalidInput(
                f"account {counterparty!r} has {MAX_HOLDS_PER_SENDER} open pending transfers "
                f"to {state.account_id!r}: post or void some first"
            )


def place_single(
    state: AccountState, cmd: Credit | Debit, fields: dict[str, Any], now: datetime
) -> LedgerEvent:
    """A hold on one account: a pending debit (declined against ``available_now``) or a
    pending credit (declined if it would break the account's limits once posted)."""
    amount = fields["amount"]
    if isinstance(cmd, Debit):
        reason = DeclineReason.UNAUTHORIZED if state.blocked else _debit_decline(state, amount, now)
        if reason is not None:
            return DebitDeclined(**fields, balance_after=state.balance, reason=reason)
        return _placed(state, {**fields, "recorded_now": now}, "debit", None, cmd.timeout)
    if cmd.check is not None:
        raise InvalidInput("a check deposit cannot be pending")
    credit_reason = decline_for_credit(announced(state, now), amount)
    if credit_reason is not None:
        return DepositDeclined(
            **fields,
            balance_after=state.balance,
            reason=credit_reason,
            channel=cmd.channel,
            detail="the pending credit would break the account's limits once posted",
        )
    return _placed(state, {**fields, "recorded_now": now}, "credit", None, cmd.timeout)


def _debit_decline(state: AccountState, amount: int, now: datetime) -> DeclineReason | None:
    return decline_for_debit(spendable(state, now), amount)


def place_transfer(
    sender: AccountState,
    receiver: AccountState,
    cmd: Transfer,
    fields: tuple[dict[str, Any], dict[str, Any]],
    now: datetime,
) -> list[LedgerEvent]:
    """An approved pending transfer (the caller declined it already if it had to): the
    sender's pending debit, the receiver's pending credit."""
    out, into = ({**f, "recorded_now": now} for f in fields)
    return [
        _placed(sender, out, "debit", receiver.account_id, cmd.timeout),
        _placed(receiver, into, "credit", sender.account_id, cmd.timeout),
    ]


def holds_of(states: Mapping[str, AccountState], txn_id: str) -> list[tuple[AccountState, Hold]]:
    """Where the pending ``txn_id`` is open: its debit side first (the sender's)."""
    found = [(s, h) for s in states.values() for h in s.pendings if h.txn_id == txn_id]
    return sorted(found, key=lambda pair: pair[1].side != "debit")


def resolve(
    states: Mapping[str, AccountState], cmd: Resolution, now: datetime
) -> list[LedgerEvent]:
    """``post_pending``/``void_pending``: the events on each account of the pending, or
    ``InvalidInput`` (rejected) when it is not open, has expired, or cannot be posted."""
    found = holds_of(states, cmd.pending_txn_id)
    if not found:
        raise InvalidInput(f"pending {cmd.pending_txn_id!r} is not open")
    hold = found[0][1]
    if not hold.live(now):
        raise InvalidInput(
            f"pending {cmd.pending_txn_id!r} expired at {hold.expires_at.isoformat()}"
        )
    if isinstance(cmd, PostPending):
        currency = found[0][0].currency
        amount = hold.amount if cmd.amount is None else to_minor(cmd.amount, currency)
        if amount > hold.amount:
            raise InvalidInput(f"cannot post {cmd.amount}: pending {hold.txn_id!r} holds less")
        return [_posted(state, h, cmd, amount, now) for state, h in found]
    return [
        PendingVoided(**_fields(state, cmd, h.amount, now), balance_after=state.balance)
        for state, h in found
    ]


def _fields(state: AccountState, cmd: Resolution, amount: int, now: datetime) -> dict[str, Any]:
    return {
        "account_id": state.account_id,
        "seq": state.seq + 1,
        "txn_id": cmd.txn_id,
        "currency": state.currency,
        "amount": amount,
        "occurred_at": cmd.occurred_at or now,
        "blocked": state.blocked,
        "pending_txn_id": cmd.pending_txn_id,
    }


def _posted(
    state: AccountState, hold: Hold, cmd: PostPending, amount: int, now: datetime
) -> PendingPosted:
    debit = hold.side == "debit"
    balance = state.balance - amount if debit else state.balance + amount
    if debit and state.blocked:
        raise InvalidInput(f"account {state.account_id!r} is blocked: the pending cannot post")
    if not within(state.limits, balance):
        raise InvalidInput(f"posting would take {state.account_id!r} outside its limits")
    kind: PostedKind
    if hold.counterparty:
        kind = "transfer_out" if debit else "transfer_in"
    else:
        kind = "debit" if debit else "credit"
    return PendingPosted(
        **_fields(state, cmd, amount, now),
        kind=kind,
        balance_after=balance,
        released=hold.amount - amount,
        counterparty=hold.counterparty,
    )


def expire_events(
    states: Mapping[str, AccountState], pending_txn_id: str, now: datetime
) -> list[LedgerEvent]:
    """The sweeper's ``PendingExpired`` on each account of an expired, open pending (empty:
    it is resolved, or not expired yet)."""
    found = holds_of(states, pending_txn_id)
    if not found or found[0][1].live(now):
        return []
    expired = [
        PendingExpired(
            account_id=state.account_id,
            seq=state.seq + 1,
            txn_id=f"expire#{pending_txn_id}",
            currency=state.currency,
            amount=hold.amount,
            balance_after=state.balance,
            occurred_at=hold.expires_at,
            recorded_at=now,
            blocked=state.blocked,
            limits=None if state.limits.is_default else state.limits,
            pending_txn_id=pending_txn_id,
        )
        for state, hold in found
    ]
    return carry_pendings(expired, states)


def balance_fields(state: AccountState, now: datetime) -> dict[str, str | None]:
    """The balances ``balance`` shows beside the posted ``balance`` (decimal strings;
    ``available`` None: unbounded, an account without a floor)."""
    room = available_now(state, now)
    return {
        "posted": format_minor(state.balance, state.currency),
        "pending_debits": format_minor(pending_debits(state, now), state.currency),
        "pending_credits": format_minor(pending_credits(state, now), state.currency),
        "available": None if room is None else format_minor(room, state.currency),
    }
