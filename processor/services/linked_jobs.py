"""The append of a linked batch (``appends.Job``): all its legs' events and records, the
resolution claims of its post/void legs, and the batch's own idempotency record, in one
transaction; or, when a leg declines, that leg's decline and the batch's record."""

from __future__ import annotations

from dataclasses import dataclass, field

from acme_base.errors import InvalidInput
from acme_base.keys import resolution_claim
from processor.domain.commands import Leg, Linked, PostPending, Transfer, VoidPending
from processor.domain.decide import AccountState, apply_all
from processor.domain.linked import LinkedDecision, decide_linked
from processor.domain.outcomes import Outcome, outcome_of, rejected
from processor.services.appends import Plan, Step
from processor.services.jobs import Clock, _Single, duplicate_of, record_of
from processor.services.pending_jobs import CLAIM, pending_accounts
from processor.storage.ports import EventStore, IdempotencyRecord

__all__ = ["LinkedJob", "linked_outcome"]


def linked_outcome(cmd: Linked, decision: LinkedDecision) -> Outcome:
    legs = [outcome_of(events).to_json_dict() for _, events in decision.legs]
    index = decision.declined_leg
    return Outcome(
        txn_id=cmd.txn_id,
        status="approved" if index is None else "declined",
        reason=None if index is None else legs[0].get("reason"),
        legs=legs,
        declined_leg=index,
        declined_txn_id=None if index is None else cmd.legs[index].txn_id,
    )


def _leg_accounts(store: EventStore, leg: Leg) -> tuple[str, ...]:
    if isinstance(leg, PostPending | VoidPending):
        return pending_accounts(store, leg.pending_txn_id)
    if isinstance(leg, Transfer):
        return (leg.from_account, leg.to_account)
    return (leg.account_id,)


@dataclass
class LinkedJob(_Single):
    cmd: Linked = field(kw_only=True)
    store: EventStore = field(kw_only=True)
    clock: Clock = field(kw_only=True)
    accounts: tuple[str, ...] = field(default=(), init=False)

    def __post_init__(self) -> None:
        found = (a for leg in self.cmd.legs for a in _leg_accounts(self.store, leg))
        self.accounts = tuple(dict.fromkeys(found))

    def plan(self, states: dict[str, AccountState]) -> Plan | None:
        try:
            decision = decide_linked(states, self.cmd, self.clock())
        except InvalidInput:
            if self.store.idempotency_record(self.cmd.txn_id) is not None:
                self.outcome = duplicate_of(self.store, self.cmd)
                return None
            raise
        outcome = linked_outcome(self.cmd, decision)
        records = [record_of(self.cmd, outcome)]
        for leg, events in decision.legs:
            records.append(record_of(leg, outcome_of(events)))
            if isinstance(leg, PostPending | VoidPending) and decision.declined_leg is None:
                claim = resolution_claim(leg.pending_txn_id)
                records.append(IdempotencyRecord(claim, CLAIM, outcome_of(events)))
        events = decision.events
        return Plan(events, records, heads_after=apply_all(states, events))

    def committed(self, plan: Plan) -> None:
        self.outcome = self.outcome or _from_records(plan)

    def txn_ids_taken(self, txn_ids: list[str]) -> Step:
        if self.cmd.txn_id in txn_ids:
            self.outcome = duplicate_of(self.store, self.cmd)
        else:
            self.outcome = rejected(
                f"linked {self.cmd.txn_id}: txn ids already used or pendings already "
                f"resolved: {', '.join(sorted(txn_ids))}",
                txn_id=self.cmd.txn_id,
            )
        return Step.DONE

    def seq_taken(self) -> Step:
        return Step.BACKOFF

    def gave_up(self, attempts: int) -> str:
        return f"linked {self.cmd.txn_id}: gave up after {attempts} attempts"


def _from_records(plan: Plan) -> Outcome:
    """The batch's outcome, as its own idempotency record (the first) holds it."""
    return plan.records[0].outcome
