"""The appends of a pending's resolution (``appends.Job``s) and the expiry sweeper.

Resolution at most once: a post, a void and the sweeper's expiry of one pending each write,
in the same transaction as their events, the idempotency record ``resolve#<pending txn>``
(``acme_base.keys.resolution_claim``). Of two concurrent resolutions exactly one commits:
both claim the next seq of the pending's accounts *and* that one record; the loser re-reads,
finds the pending resolved, and is ``rejected`` naming the winner's status and txn id.

The sweeper (``sweep_candidates``) finds its work on the open pendings' markers
(``processor.storage.pending_index``: written with each placement, replaced by that same claim), a
Query per shard of the expiry index, not a scan of the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from acme_base.errors import InvalidInput
from acme_base.keys import resolution_claim
from processor.domain.commands import Resolution
from processor.domain.decide import AccountState, apply_all, decide
from processor.domain.events import LedgerEvent, PendingPlaced
from processor.domain.outcomes import Outcome, outcome_of, rejected
from processor.domain.pending import expire_events
from processor.services.appends import FreshHeads, Plan, Step
from processor.services.jobs import Clock, _Single, duplicate_of, record_of
from processor.storage.ports import EventReader, EventStore, IdempotencyRecord

__all__ = [
    "SWEEP_INDEX",
    "ExpireJob",
    "ResolveJob",
    "expired_candidates",
    "pending_accounts",
    "sweep_candidates",
]

#: the index the sweeper queries (``sweep_candidates``; the deploy grants Query on it): the
#: name of ``acme_base.tables.GSI_PENDING_EXPIRY``, spelled here because this module stays
#: pure (no botocore); ``tests/unit/test_pending_index.py`` keeps the two equal
SWEEP_INDEX = "GSI_Sparse_Pending_Expiry"

#: the fingerprint of a resolution claim (its outcome is the resolution's)
CLAIM = "resolution"


def _claim(pending_txn_id: str, outcome: Outcome) -> IdempotencyRecord:
    return IdempotencyRecord(resolution_claim(pending_txn_id), CLAIM, outcome)


def resolved_message(store: EventStore, pending_txn_id: str) -> str | None:
    """Why a pending cannot be resolved again: its resolution, if it has one."""
    claim = store.idempotency_record(resolution_claim(pending_txn_id))
    if claim is None:
        return None
    by = claim.outcome.txn_id or "the sweeper"
    return f"pending {pending_txn_id!r} is already {claim.outcome.status} (by {by})"


def pending_accounts(store: EventStore, pending_txn_id: str) -> tuple[str, ...]:
    """The accounts of a pending, from its own idempotency record (``rejected`` when the
    txn is unknown or was no pending)."""
    record = store.idempotency_record(pending_txn_id)
    if record is None:
        raise InvalidInput(f"unknown pending txn {pending_txn_id!r}")
    placed = record.outcome
    if placed.status != "pending" or placed.account_id is None:
        raise InvalidInput(f"txn {pending_txn_id!r} is not a pending one (it was {placed.status})")
    return tuple(a for a in (placed.account_id, placed.to_account) if a)


@dataclass
class ResolveJob(_Single, FreshHeads):
    """``post_pending`` or ``void_pending`` of the pending's accounts (found from the
    pending's own idempotency record: its outcome names the accounts)."""

    cmd: Resolution = field(kw_only=True)
    store: EventStore = field(kw_only=True)
    clock: Clock = field(kw_only=True)
    accounts: tuple[str, ...] = field(default=(), init=False)

    def __post_init__(self) -> None:
        self.accounts = pending_accounts(self.store, self.cmd.pending_txn_id)

    def plan(self, states: dict[str, AccountState]) -> Plan | None:
        try:
            events = decide(states, self.cmd, self.clock())
        except InvalidInput as exc:
            if self.store.idempotency_record(self.cmd.txn_id) is not None:
                self.outcome = duplicate_of(self.store, self.cmd)
                return None
            message = resolved_message(self.store, self.cmd.pending_txn_id)
            raise InvalidInput(message or str(exc)) from exc
        outcome = outcome_of(events)
        records = [record_of(self.cmd, outcome), _claim(self.cmd.pending_txn_id, outcome)]
        return Plan(events, records, heads_after=apply_all(states, events))

    def txn_ids_taken(self, txn_ids: list[str]) -> Step:
        if self.cmd.txn_id in txn_ids:
            self.outcome = duplicate_of(self.store, self.cmd)
        else:  # the claim: another resolution won
            message = resolved_message(self.store, self.cmd.pending_txn_id)
            self.outcome = rejected(message or "resolved concurrently", txn_id=self.cmd.txn_id)
        return Step.DONE

    def seq_taken(self) -> Step:
        return Step.BACKOFF

    def gave_up(self, attempts: int) -> str:
        return f"{self.cmd.type} {self.cmd.txn_id}: gave up after {attempts} attempts"


@dataclass
class ExpireJob(_Single, FreshHeads):
    """The sweeper's ``PendingExpired`` for one pending (nothing if resolved meanwhile)."""

    pending_txn_id: str = field(kw_only=True)
    accounts: tuple[str, ...] = field(kw_only=True)
    now: datetime = field(kw_only=True)

    def plan(self, states: dict[str, AccountState]) -> Plan | None:
        events = expire_events(states, self.pending_txn_id, self.now)
        if not events:
            return None
        outcome = outcome_of(events)
        return Plan(
            events,
            [_claim(self.pending_txn_id, outcome)],
            heads_after=apply_all(states, events),
        )

    def txn_ids_taken(self, txn_ids: list[str]) -> Step:
        return Step.DONE  # resolved by a post or void, or another sweeper: nothing to do

    def seq_taken(self) -> Step:
        return Step.BACKOFF

    def gave_up(self, attempts: int) -> str:
        return f"expire {self.pending_txn_id}: gave up after {attempts} attempts"


def expired_candidates(
    events: Iterable[LedgerEvent], now: datetime
) -> list[tuple[str, tuple[str, ...]]]:
    """``(pending txn id, its accounts)`` of every pending placed with ``expires_at`` <= now
    (resolved ones included: the job re-checks the head and skips them)."""
    found: dict[str, set[str]] = {}
    for event in events:
        if isinstance(event, PendingPlaced) and event.expires_at <= now:
            found.setdefault(event.pending_txn_id, set()).add(event.account_id)
    return [(txn, tuple(sorted(accounts))) for txn, accounts in sorted(found.items())]


def sweep_source(store: EventReader) -> Iterable[LedgerEvent]:
    """The legacy sweep's source: the whole log (a Scan; ``expire-pending --scan`` only)."""
    return store.all_events()


def sweep_candidates(
    store: EventStore, now: datetime, *, scan: bool = False
) -> list[tuple[str, tuple[str, ...]]]:
    """``(pending txn id, its accounts)`` the sweeper tries, oldest expiry first: the open
    pendings' markers on the expiry index (``EventStore.expired_pendings``: a Query per
    shard, its cost the expired open pendings, not the log); ``scan``: every expired
    ``PendingPlaced`` of the log, for pendings placed before the markers existed.

    IAM of the sweeper (the scheduled Lambda ``expire_pending_handler``): ``dynamodb:Query``
    on the ledger's index ``SWEEP_INDEX`` (``<ledger ARN>/index/<it>``), ``Query`` and
    ``GetItem`` on the table (heads, claims), ``TransactWriteItems``/``PutItem`` on it (the
    expiry's events and its claim, which replaces the marker); ``Scan`` only with ``scan``."""
    if scan:
        return expired_candidates(sweep_source(store), now)
    markers = sorted(store.expired_pendings(now), key=lambda m: (m.expires_at, m.pending_txn_id))
    return [(m.pending_txn_id, m.accounts) for m in markers]
