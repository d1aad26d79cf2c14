"""Linked transfers (issue 11 item 3), pure: legs that all succeed or all fail.

The legs are decided in order, each on the states the earlier ones leave (a fee leg may
spend what the first leg brought). A leg ``decide`` refuses makes the whole batch
``rejected`` (nothing written). A declined leg declines the whole batch: of its legs only
the declining one is recorded, as the decline it is (on the accounts' states before the
batch, with ``judged_balance``: the balance the leg was judged on), so the declined index
has it; the other legs leave no trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from acme_base.errors import InvalidInput
from processor.domain.account_state import AccountState
from processor.domain.commands import Leg, Linked
from processor.domain.decide import decide
from processor.domain.events import DebitDeclined, DepositDeclined, LedgerEvent, TransferDeclined
from processor.domain.evolve import apply_all

__all__ = ["LinkedDecision", "decide_linked"]


@dataclass(frozen=True)
class LinkedDecision:
    """The events to write, per leg (only the declining leg when ``declined_leg`` is set)."""

    legs: list[tuple[Leg, list[LedgerEvent]]]
    declined_leg: int | None = None

    @property
    def events(self) -> list[LedgerEvent]:
        return [event for _, events in self.legs for event in events]


def decide_linked(states: Mapping[str, AccountState], cmd: Linked, now: datetime) -> LinkedDecision:
    """Every leg's events, or the declining leg's decline alone; ``InvalidInput`` naming the
    leg a decision refused."""
    running = dict(states)
    decided: list[tuple[Leg, list[LedgerEvent]]] = []
    for index, leg in enumerate(cmd.legs):
        try:
            events = decide(running, leg, now)
        except InvalidInput as exc:
            raise InvalidInput(f"linked {cmd.txn_id} leg {index} ({leg.txn_id}): {exc}") from exc
        if not all(event.approved for event in events):
            return LinkedDecision([(leg, [_rebased(e, states) for e in events])], index)
        running = apply_all(running, events)
        decided.append((leg, events))
    return LinkedDecision(decided)


def _rebased(event: LedgerEvent, states: Mapping[str, AccountState]) -> LedgerEvent:
    """A decline, moved onto its account's state before the batch (the earlier legs are not
    written): a decline changes nothing but the seq, so ``balance_after`` is the account's
    real balance, and ``judged_balance`` the one the leg was judged on (after the earlier
    legs), which is why it was declined."""
    state = states[event.account_id]
    if not isinstance(event, DebitDeclined | TransferDeclined | DepositDeclined):
        raise TypeError(f"{event.event_type} is no decline")  # only declines are rebased
    return replace(
        event,
        judged_balance=event.balance_after,
        seq=state.seq + 1,
        balance_after=state.balance,
        blocked=state.blocked,
        pendings=state.pendings or None,
    )
