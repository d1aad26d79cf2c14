"""The pure core: ``decide(states, command) -> events`` and ``evolve(state, event) -> state``.

No I/O here. ``states`` maps account id to the account's current state as folded from its
events; a missing entry means the account does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from acme_base.errors import (
    AccountAlreadyExists,
    InvalidInput,
    InvariantViolation,
    UnknownAccount,
)
from processor.commands import AnyCommand, Credit, Debit, MoneyCommand, OpenAccount, Transfer
from processor.events import (
    AccountOpened,
    DebitDeclined,
    DeclineReason,
    FundsCredited,
    FundsDebited,
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


def evolve(state: AccountState | None, event: LedgerEvent) -> AccountState:
    """Fold one event into the account state, checking seq contiguity and the running balance."""
    if isinstance(event, AccountOpened):
        if state is not None or event.seq != 0 or event.balance_after != 0:
            raise InvariantViolation(f"bad AccountOpened for {event.account_id}")
        return AccountState(event.account_id, event.customer_id, event.currency, 0, 0)
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
    return replace(state, balance=balance, seq=event.seq)


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
    }


def _single(states: Mapping[str, AccountState], cmd: Credit | Debit, now: datetime) -> LedgerEvent:
    state = _account(states, cmd.account_id, cmd)
    fields = _common(state, cmd, now)
    amount = to_minor(cmd.amount)
    if isinstance(cmd, Credit):
        return FundsCredited(**fields, balance_after=state.balance + amount)
    if state.balance >= amount:
        return FundsDebited(**fields, balance_after=state.balance - amount)
    return DebitDeclined(**fields, balance_after=state.balance, reason=DeclineReason.LOW_BALANCE)


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
    if sender.balance < amount:
        return [
            TransferDeclined(
                **out,
                balance_after=sender.balance,
                reason=DeclineReason.LOW_BALANCE,
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
