"""The pure core: ``decide(states, command) -> events`` and ``evolve(state, event) -> state``.

No I/O here. ``states`` maps account id to the account's current state as folded from its
events; a missing entry means the account does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from acme_base.errors import (
    AccountAlreadyExists,
    InvalidInput,
    InvariantViolation,
    UnknownAccount,
)
from processor.checks import check_problem
from processor.commands import (
    AnyCommand,
    BlockAccount,
    Credit,
    Debit,
    MoneyCommand,
    OpenAccount,
    Transfer,
    UnblockAccount,
)
from processor.events import (
    DEBIT_KINDS,
    AccountBlocked,
    AccountOpened,
    AccountUnblocked,
    DebitDeclined,
    DeclineReason,
    DepositDeclined,
    FundsCredited,
    FundsDebited,
    HistoryArchived,
    LedgerEvent,
    TransferDeclined,
    TransferReceived,
    TransferSent,
    signed_amount,
)
from processor.money import to_minor

__all__ = ["AccountState", "InvariantViolation", "apply_all", "decide", "evolve", "fold"]


@dataclass(frozen=True)
class AccountState:
    account_id: str
    customer_id: str
    currency: str
    balance: int = 0
    seq: int = 0
    blocked: bool = False  # no money may leave (debits, outgoing transfers are declined)


def evolve(state: AccountState | None, event: LedgerEvent) -> AccountState:
    """Fold one event into the account state, checking seq contiguity and the running balance."""
    if isinstance(event, AccountOpened):
        if state is not None or event.seq != 0 or event.balance_after != 0 or event.blocked:
            raise InvariantViolation(f"bad AccountOpened for {event.account_id}")
        return AccountState(event.account_id, event.customer_id, event.currency, 0, 0)
    if isinstance(event, HistoryArchived):
        return _resume(state, event)
    if state is None:
        raise InvariantViolation(f"event {event.seq} of {event.account_id} before AccountOpened")
    if event.seq != state.seq + 1:
        raise InvariantViolation(f"{event.account_id}: seq {event.seq} does not follow {state.seq}")
    balance = state.balance + signed_amount(event)
    if balance != event.balance_after or balance < 0:
        raise InvariantViolation(
            f"{event.account_id} seq {event.seq}: balance_after {event.balance_after} "
            f"but the fold gives {balance}"
        )
    return replace(state, balance=balance, seq=event.seq, blocked=_blocked_after(state, event))


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
    archived events were folded first, it must agree with them (a checkpoint)."""
    if event.amount != 0 or event.balance_after < 0 or event.seq < 1:
        raise InvariantViolation(f"bad HistoryArchived for {event.account_id}")
    if state is None:
        return AccountState(
            event.account_id,
            event.customer_id,
            event.currency,
            event.balance_after,
            event.seq,
            event.blocked,
        )
    if (state.seq, state.balance, state.currency) != (
        event.seq,
        event.balance_after,
        event.currency,
    ):
        raise InvariantViolation(
            f"{event.account_id}: snapshot at seq {event.seq} (balance {event.balance_after}) "
            f"disagrees with the archived events (seq {state.seq}, balance {state.balance})"
        )
    return state


def fold(events: Iterable[LedgerEvent], state: AccountState | None = None) -> AccountState | None:
    for event in events:
        state = evolve(state, event)
    return state


def decide(
    states: Mapping[str, AccountState], command: AnyCommand, now: datetime
) -> list[LedgerEvent]:
    """Turn a valid command into the events it causes, given the states of its accounts."""
    if isinstance(command, OpenAccount):
        return [_open(states, command, now)]
    if isinstance(command, Transfer):
        return _transfer(states, command, now)
    if isinstance(command, BlockAccount | UnblockAccount):
        return [_block(states, command, now)]
    return [_single(states, command, now)]


def _open(states: Mapping[str, AccountState], cmd: OpenAccount, now: datetime) -> AccountOpened:
    if cmd.account_id in states:
        raise AccountAlreadyExists(cmd.account_id)
    # "#" cannot occur in a client txn id (commands.Id), so no credit can reuse this one.
    return AccountOpened(
        account_id=cmd.account_id,
        seq=0,
        txn_id=f"open#{cmd.account_id}",
        currency=cmd.currency,
        amount=0,
        balance_after=0,
        occurred_at=now,
        customer_id=cmd.customer_id,
    )


def _account(
    states: Mapping[str, AccountState], account_id: str, cmd: MoneyCommand
) -> AccountState:
    state = states.get(account_id)
    if state is None:
        raise UnknownAccount(account_id)
    if cmd.currency is not None and cmd.currency != state.currency:
        raise InvalidInput(
            f"currency {cmd.currency} does not match account {account_id} ({state.currency})"
        )
    return state


def _common(state: AccountState, cmd: MoneyCommand, now: datetime) -> dict[str, object]:
    return {
        "account_id": state.account_id,
        "seq": state.seq + 1,
        "txn_id": cmd.txn_id,
        "currency": state.currency,
        "amount": to_minor(cmd.amount),
        "occurred_at": cmd.occurred_at or now,
        "blocked": state.blocked,
    }


def _single(states: Mapping[str, AccountState], cmd: Credit | Debit, now: datetime) -> LedgerEvent:
    state = _account(states, cmd.account_id, cmd)
    fields = _common(state, cmd, now)
    amount = to_minor(cmd.amount)
    if isinstance(cmd, Credit):
        return _credit(state, cmd, fields)
    if state.blocked:
        return DebitDeclined(
            **fields, balance_after=state.balance, reason=DeclineReason.UNAUTHORIZED
        )
    if state.balance >= amount:
        return FundsDebited(**fields, balance_after=state.balance - amount)
    return DebitDeclined(**fields, balance_after=state.balance, reason=DeclineReason.LOW_BALANCE)


def _credit(state: AccountState, cmd: Credit, fields: dict[str, object]) -> LedgerEvent:
    """Credits are accepted even into a blocked account; a check that does not read is a
    recorded decline (``illegible_check``), not a rejection."""
    amount = to_minor(cmd.amount)
    number = cmd.check.number if cmd.check is not None else None
    if cmd.check is not None:
        check = cmd.check
        problem = check_problem(check.number, check.routing, check.amount_in_words, amount)
        if problem is not None:
            return DepositDeclined(
                **fields,
                balance_after=state.balance,
                reason=DeclineReason.ILLEGIBLE_CHECK,
                channel="check",
                check_number=number,
                detail=problem,
            )
    return FundsCredited(
        **fields, balance_after=state.balance + amount, channel=cmd.channel, check_number=number
    )


def _block(
    states: Mapping[str, AccountState], cmd: BlockAccount | UnblockAccount, now: datetime
) -> LedgerEvent:
    """Block or unblock: ``rejected`` (nothing written) if the account already is so."""
    state = states.get(cmd.account_id)
    if state is None:
        raise UnknownAccount(cmd.account_id)
    block = isinstance(cmd, BlockAccount)
    if state.blocked == block:
        raise InvalidInput(f"account {cmd.account_id!r} is {'already' if block else 'not'} blocked")
    fields: dict[str, Any] = {
        "account_id": state.account_id,
        "seq": state.seq + 1,
        "txn_id": cmd.txn_id,
        "currency": state.currency,
        "amount": 0,
        "balance_after": state.balance,
        "occurred_at": cmd.occurred_at or now,
        "blocked": block,
    }
    if isinstance(cmd, BlockAccount):
        return AccountBlocked(**fields, note=cmd.reason)
    return AccountUnblocked(**fields, note=cmd.reason)


def _transfer(
    states: Mapping[str, AccountState], cmd: Transfer, now: datetime
) -> list[LedgerEvent]:
    sender = _account(states, cmd.from_account, cmd)
    receiver = _account(states, cmd.to_account, cmd)
    if sender.currency != receiver.currency:
        raise InvalidInput(
            f"cannot transfer {sender.currency} from {sender.account_id} "
            f"to {receiver.account_id} in {receiver.currency}"
        )
    amount = to_minor(cmd.amount)
    out = _common(sender, cmd, now)
    if sender.blocked or sender.balance < amount:
        # authorization first: a blocked sender is unauthorized whatever its balance;
        # a blocked receiver still receives
        return [
            TransferDeclined(
                **out,
                balance_after=sender.balance,
                reason=DeclineReason.UNAUTHORIZED if sender.blocked else DeclineReason.LOW_BALANCE,
                counterparty=receiver.account_id,
            )
        ]
    return [
        TransferSent(
            **out, balance_after=sender.balance - amount, counterparty=receiver.account_id
        ),
        TransferReceived(
            **_common(receiver, cmd, now),
            balance_after=receiver.balance + amount,
            counterparty=sender.account_id,
        ),
    ]


def apply_all(
    states: Mapping[str, AccountState], events: Iterable[LedgerEvent]
) -> dict[str, AccountState]:
    """States after the events (used to decide several commands of one group in a row)."""
    result = dict(states)
    for event in events:
        result[event.account_id] = evolve(result.get(event.account_id), event)
    return result
