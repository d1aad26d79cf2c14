"""The one optimistic-append loop of the write side, and the head cache it reads through.

Every command kind (open, transfer, a group of credits/debits) is a ``Job``: it plans an
append from the current account heads, and says what a lost claim means for it. The loop
runs it: read heads, plan, append; on a taken txn id or seq ask the job for the next
``Step``; back off (full jitter, bounded by ``Backoff``) only when the seq race was lost.

Adopting heads (``adopt``): a lost seq race returns the winner's events on the taken keys
(``SeqTaken.seen``); the loser takes the newest as its head and retries after its backoff
without the strongly consistent re-read (measured in bench/bench_processes; retrying at once,
without the backoff, starved the loser: the winner's warm head kept winning).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Protocol

from acme_base.errors import ContentionExhausted
from acme_base.retry import Backoff
from processor.domain.commands import OpenAccount
from processor.domain.decide import AccountState
from processor.domain.events import AccountOpened, LedgerEvent
from processor.storage.append_batch import Writer
from processor.storage.ports import (
    EventStore,
    IdempotencyRecord,
    SeqTaken,
    TxnIdsTaken,
    state_of_head,
)


class Step(Enum):
    """What a job wants after a lost claim."""

    DONE = "done"  # settled (e.g. a duplicate answered): stop
    AGAIN = "again"  # retry at once (the commands whose txn ids were free)
    BACKOFF = "backoff"  # lost the seq race: forget the heads, back off, re-read, retry


@dataclass(frozen=True, slots=True)
class Plan:
    """One attempt's append, and the account heads it leaves once committed."""

    events: list[LedgerEvent]
    records: list[IdempotencyRecord] = field(default_factory=list)
    opening: OpenAccount | None = None
    heads_after: dict[str, AccountState] = field(default_factory=dict)


class Job(Protocol):
    """A command (or group of commands) the loop appends optimistically."""

    @property
    def accounts(self) -> tuple[str, ...]:
        """The accounts whose heads ``plan`` needs."""
        ...

    def plan(self, states: dict[str, AccountState]) -> Plan | None:
        """The append for these heads (None: nothing left to write)."""
        ...

    def committed(self, plan: Plan) -> None: ...

    def txn_ids_taken(self, txn_ids: list[str]) -> Step: ...

    def seq_taken(self) -> Step: ...

    def gave_up(self, attempts: int) -> str:
        """The ``ContentionExhausted`` message."""
        ...


class FreshHeads:
    """A job judged on heads read from the store, never on cached ones: a resolution of a
    pending (post, void, the sweeper's expiry), which another ledger (another process, with
    its own cache) may have placed after our cache was filled. A stale head there does not
    fail a write, it refuses without one (``"not open"``, nothing to expire)."""


@dataclass
class HeadCache:
    """Account heads: cached from our own last commit, else read (strongly consistent).

    A cached head is only a guess: if another writer appended since, our write of seq n+1
    meets an existing item, the condition fails, we forget the head and re-read.
    """

    store: EventStore
    enabled: bool = True
    _known: dict[str, AccountState] = field(default_factory=dict)
    #: each account's opening time, read once (it never changes): ``decide`` refuses a
    #: command effective before it
    _opened: dict[str, datetime] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def states(self, *account_ids: str) -> dict[str, AccountState]:
        states = {}
        for account_id in account_ids:
            state = self._known.get(account_id) if self.enabled else None
            if state is None:
                state = self.store.state(account_id)
            if state is not None:
                states[account_id] = self._with_opening(state)
        return states

    def _with_opening(self, state: AccountState) -> AccountState:
        """The state with its opening time: from the state, this cache, or one read of the
        account's seq 0 (none when archived: then no opening check)."""
        if state.opened_at is not None:
            self._opened.setdefault(state.account_id, state.opened_at)
            return state
        opened = self._opened.get(state.account_id)
        if opened is None:
            first = next(iter(self.store.events(state.account_id, 0, 0)), None)
            if not isinstance(first, AccountOpened):
                return state
            opened = self._opened.setdefault(state.account_id, first.occurred_at)
        return replace(state, opened_at=opened)

    def remember(self, states: dict[str, AccountState]) -> None:
        if not self.enabled:
            return
        with self._lock:
            for account_id, state in states.items():
                known = self._known.get(account_id)
                if known is None or known.seq < state.seq:
                    self._known[account_id] = state

    def forget(self, *account_ids: str) -> None:
        with self._lock:
            for account_id in account_ids:
                self._known.pop(account_id, None)

    def forget_all(self) -> None:
        with self._lock:
            self._known.clear()

    def adopt(self, seen: list[LedgerEvent]) -> bool:
        """Take the newest of another writer's events per account as its head (forgetting
        ours, which lost); False when there is nothing to adopt (or caching is off)."""
        newest: dict[str, LedgerEvent] = {}
        for event in seen:
            if event.account_id not in newest or newest[event.account_id].seq < event.seq:
                newest[event.account_id] = event
        if not self.enabled or not newest:
            return False
        self.forget(*newest)
        self.remember({a: s for a, e in newest.items() if (s := state_of_head(a, e)) is not None})
        return True


@dataclass
class Appender:
    """Runs jobs: the optimistic loop (``stats["retries"]`` counts the backoffs).

    ``store``: where appends go: the event store, or a batcher sharing its transactions
    with other accounts' appends (``append_batch``: the same answers, per append)."""

    store: Writer
    backoff: Backoff
    heads: HeadCache
    stats: dict[str, int]
    adopt: bool = False

    def run(self, job: Job) -> None:
        """Append the job's plan, re-planning after lost claims, or raise ContentionExhausted."""
        if isinstance(job, FreshHeads):
            self.heads.forget(*job.accounts)
        for attempt in self.backoff.attempts():
            plan = job.plan(self.heads.states(*job.accounts))
            if plan is None:
                return
            seen: list[LedgerEvent] = []
            try:
                self.store.append(plan.events, plan.records, opening=plan.opening)
            except TxnIdsTaken as taken:
                step = job.txn_ids_taken(taken.txn_ids)
            except SeqTaken as lost:
                step, seen = job.seq_taken(), lost.seen
            else:
                self.heads.remember(plan.heads_after)
                job.committed(plan)
                return
            if step is Step.DONE:
                return
            if step is Step.BACKOFF:
                self._lost_race(job, plan, seen)
                self.backoff.sleep(attempt)
        raise ContentionExhausted(job.gave_up(self.backoff.max_attempts))

    def _lost_race(self, job: Job, plan: Plan, seen: list[LedgerEvent]) -> None:
        """Adopt the winner's head where the failure proves it (when enabled), and forget the
        rest, to be re-read.

        Proof: the newest taken seq is below the newest seq we claimed, so the next one was
        free. When every claimed seq was taken the head may be further on: adopting it would
        only creep forward one group per lost race (measured: starved), so that is re-read.
        """
        claimed: dict[str, int] = {}
        for event in plan.events:
            claimed[event.account_id] = max(claimed.get(event.account_id, -1), event.seq)
        newest: dict[str, int] = {}
        for event in seen:
            newest[event.account_id] = max(newest.get(event.account_id, -1), event.seq)
        proven = [e for e in seen if newest[e.account_id] < claimed.get(e.account_id, -1)]
        adopted = self.adopt and self.heads.adopt(proven)
        known = {e.account_id for e in proven} if adopted else set()
        self.heads.forget(*(a for a in job.accounts if a not in known))
        self.stats["retries"] = self.stats.get("retries", 0) + 1
        if adopted:
            self.stats["adopted"] = self.stats.get("adopted", 0) + 1
