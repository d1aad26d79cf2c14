"""The pure core: ``decide(states, command) -> events`` and ``evolve(state, event) -> state``.

No I/O here. ``states`` maps account id to the account's current state as folded from its
events; a missing entry means the account does not exist.

``decide`` dispatches by the command's class through ``DECIDERS``, checked exhaustive over the
ledger's registry (``processor.domain.commands.LEDGER``) when this module is imported: money
commands in ``processor.domain.decide_money``, limits and close in
``processor.domain.lifecycle``, pendings in ``processor.domain.pending``; opening and
block/unblock here. ``AccountState`` (``processor.domain.account_state``) and ``evolve``/``fold``/
``apply_all`` (``processor.domain.evolve``) are re-exported, so ``processor.domain.decide.X`` keeps
working.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from acme_base.errors import (
    AccountAlreadyExists,
    InvalidInput,
    InvariantViolation,
    UnknownAccount,
)
from processor.domain import decide_money
from processor.domain.account_state import AccountState
from processor.domain.asof_rule import opened_before
from processor.domain.attrs import optional_attr
from processor.domain.commands import (
    LEDGER,
    AnyCommand,
    BlockAccount,
    CloseAccount,
    Credit,
    Debit,
    Linked,
    OpenAccount,
    PostPending,
    SetLimits,
    Transfer,
    UnblockAccount,
    VoidPending,
)
from processor.domain.events import (
    AccountBlocked,
    AccountOpened,
    AccountUnblocked,
    LedgerEvent,
)
from processor.domain.evolve import apply_all, evolve, fold
from processor.domain.lifecycle import decide_rule, opening_limits, refuse_closed, stamp
from processor.domain.pending import carry_pendings, resolve

__all__ = [
    "DECIDERS",
    "AccountState",
    "InvariantViolation",
    "apply_all",
    "decide",
    "evolve",
    "fold",
]
#: the money deciders under their names before the split: ``_decide`` calls them through
#: this module, so the mutation check (tests/property/mutants.py) can patch them here
_account = decide_money.account_of
_common = decide_money.common_fields
_single = decide_money.decide_single
_transfer = decide_money.decide_transfer


#: the fields naming a command's accounts (a command has one or two of them)
ACCOUNT_FIELDS = ("account_id", "from_account", "to_account")


def decide(
    states: Mapping[str, AccountState], command: AnyCommand, now: datetime
) -> list[LedgerEvent]:
    """Turn a valid command into the events it causes, given the states of its accounts.

    Every event is stamped (``lifecycle.stamp``) with ``recorded_at`` = ``now``, the command's
    tracing fields and its account's limits; a closed account refuses every command."""
    if not isinstance(command, OpenAccount):
        occurred_at = optional_attr(command, "occurred_at")
        for name in ACCOUNT_FIELDS:
            state = states.get(optional_attr(command, name) or "")
            refuse_closed(state)
            refuse_before_opening(state, occurred_at)
    return carry_pendings(stamp(_decide(states, command, now), states, command, now), states)


def refuse_before_opening(state: AccountState | None, occurred_at: datetime | None) -> None:
    """A bank takes no transaction effective before the account existed (``rejected``)."""
    if state is None or state.opened_at is None or occurred_at is None:
        return
    if opened_before(state.opened_at, occurred_at):
        raise InvalidInput(
            f"occurred_at {occurred_at.isoformat()} is before account {state.account_id!r} "
            f"was opened ({state.opened_at.isoformat()})"
        )


def _decide(
    states: Mapping[str, AccountState], command: AnyCommand, now: datetime
) -> list[LedgerEvent]:
    return DECIDERS[type(command)](states, command, now)


def _linked(states: Mapping[str, AccountState], cmd: Linked, now: datetime) -> list[LedgerEvent]:
    """A linked batch's legs are decided one by one (``processor.domain.linked``)."""
    raise InvalidInput("a linked batch is decided leg by leg (processor.domain.linked)")


Decider = Callable[[Mapping[str, AccountState], Any, datetime], list[LedgerEvent]]
#: every ledger command's class -> its decider. Each entry names its decider in its body, so
#: the name is looked up when a command is decided: patching ``_single``, ``_transfer``,
#: ``_open``, ``resolve`` ... on this module (the mutation check) reaches ``decide``.
_TABLE: dict[type[BaseModel], Decider] = {
    OpenAccount: lambda states, cmd, now: [_open(states, cmd, now)],
    Credit: lambda states, cmd, now: [_single(states, cmd, now)],
    Debit: lambda states, cmd, now: [_single(states, cmd, now)],
    Transfer: lambda states, cmd, now: _transfer(states, cmd, now),  # noqa: PLW0108
    BlockAccount: lambda states, cmd, now: [_block(states, cmd, now)],
    UnblockAccount: lambda states, cmd, now: [_block(states, cmd, now)],
    SetLimits: lambda states, cmd, now: [decide_rule(states, cmd, now)],
    CloseAccount: lambda states, cmd, now: [decide_rule(states, cmd, now)],
    PostPending: lambda states, cmd, now: resolve(states, cmd, now),  # noqa: PLW0108
    VoidPending: lambda states, cmd, now: resolve(states, cmd, now),  # noqa: PLW0108
    Linked: _linked,
}
DECIDERS = LEDGER.cover(_TABLE)


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
        occurred_at=cmd.occurred_at or now,
        customer_id=cmd.customer_id,
        limits=opening_limits(cmd),
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
