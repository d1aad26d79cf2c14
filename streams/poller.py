"""The local event source mapping: discovers the stream, leases shards, follows lineage, and
drives one ``ShardWorker`` per leased shard until stopped (or, with ``until_idle``, until every
shard is caught up).

A shard leased by another holder is not caught up while records wait behind its checkpoint.
A holder that is provably dead (``streams.holders``) loses its lease at once; otherwise
``until_idle`` waits for the lease to expire (at most the lease length plus a margin) and
takes the shard over. A shard it cannot get in time ends the run *blocked*: the result names
the shard, its holder and the records behind, and is never ``idle``.

Stopping (``stop()``, wired to SIGTERM/SIGINT by the CLI) lets the batch in flight finish and
checkpoint, then releases the leases so another poller can take over at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from acme_base.errors import AcmeError
from streams.config import EsmConfig
from streams.dlq import DeadLetters
from streams.holders import holder_dead, make_owner
from streams.keys import LATEST, TRIM_HORIZON
from streams.lag import backlog
from streams.lease_ports import LeaseLost, LeaseStore, LeaseTable, ShardState
from streams.metrics_log import metrics_line
from streams.shards import ShardInfo, ShardSource, plan_ready
from streams.state import DynamoLeaseTable
from streams.worker import Handler, ShardWorker, Stats

log = logging.getLogger("acme_txn.streams")

TAKEOVER_MARGIN = 2.0  # seconds waited beyond a foreign lease's length before giving up
BEHIND_CAP = 1000  # records counted behind a foreign lease's checkpoint at most


def default_owner() -> str:
    return make_owner()


class ShardsHeldElsewhere(AcmeError):
    """A run until idle could not get shards that have records behind."""


@dataclass(frozen=True)
class Blocked:
    """A shard leased by another holder, with records behind its checkpoint."""

    shard_id: str
    holder: str | None
    holder_dead: bool
    records_behind: int
    give_up_at: float  # clock seconds

    def describe(self) -> str:
        dead = " (dead)" if self.holder_dead else ""
        return (
            f"shard {self.shard_id} held by {self.holder or '?'}{dead} with "
            f"{self.records_behind}{'+' if self.records_behind >= BEHIND_CAP else ''} "
            "records behind"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "shard_id": self.shard_id,
            "holder": self.holder,
            "holder_dead": self.holder_dead,
            "records_behind": self.records_behind,
        }


@dataclass
class RunResult:
    stats: Stats
    idle: bool  # stopped because everything was caught up
    shards_owned: list[str] = field(default_factory=list)
    shards_held_elsewhere: list[str] = field(default_factory=list)
    blocked: list[Blocked] = field(default_factory=list)  # until idle: shards not got in time
    taken_over: list[str] = field(default_factory=list)  # leases taken from dead holders

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.stats.as_dict(),
            "idle": self.idle,
            "shards": self.shards_owned,
            "shards_held_elsewhere": self.shards_held_elsewhere,
            "blocked": [b.as_dict() for b in self.blocked],
            "taken_over": self.taken_over,
        }

    def blocked_message(self, consumer: str) -> str:
        return f"{consumer}: not caught up: " + "; ".join(b.describe() for b in self.blocked)

    def raise_if_blocked(self, consumer: str) -> RunResult:
        if self.blocked:
            raise ShardsHeldElsewhere(self.blocked_message(consumer))
        return self


@dataclass
class Poller:
    source: ShardSource
    handler: Handler
    client: Any  # dynamodb client for the streams table (dead letters)
    table: str  # the <prefix>-streams table
    cfg: EsmConfig = field(default_factory=EsmConfig)
    owner: str = field(default_factory=default_owner)
    clock: Callable[[], float] = time.time
    stats: Stats = field(default_factory=Stats)
    leases: LeaseTable | None = None  # None: the <prefix>-streams table through ``client``
    is_dead: Callable[[str | None], bool] = holder_dead
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: dict[str, ShardWorker] = field(default_factory=dict)
    _held_elsewhere: set[str] = field(default_factory=set)
    _waiting: dict[str, Blocked] = field(default_factory=dict)  # until idle: foreign, behind
    _taken_over: list[str] = field(default_factory=list)
    _owned: set[str] = field(default_factory=set)
    _finished: set[str] = field(default_factory=set)
    _lost: set[str] = field(default_factory=set)
    _need_refresh: bool = False
    _metrics_at: float = 0.0  # when the last metric line was logged

    def stop(self) -> None:
        """Finish the batch in flight, checkpoint, release leases, return from ``run``."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def dead_letters(self) -> DeadLetters:
        return DeadLetters(self.client, self.table, self.cfg.consumer)

    def lease_table(self) -> LeaseTable:
        return self.leases if self.leases is not None else DynamoLeaseTable(self.client, self.table)

    def run(self, until_idle: bool = False, max_seconds: float | None = None) -> RunResult:
        stream = self.source.describe()
        state = self.lease_table().open(
            self.cfg.consumer, stream.label, self.owner, self.cfg.lease_seconds, self.clock
        )
        blocked: list[Blocked] = []
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        idle = False
        done = threading.Event()
        renewer = threading.Thread(
            target=self._renew_loop, args=(state, done), daemon=True, name="lease-renewer"
        )
        renewer.start()
        with ThreadPoolExecutor(max_workers=self.cfg.parallelization_factor) as executor:
            try:
                last_refresh = -1e18
                refreshed_since_idle = False
                while not self._stop.is_set():
                    self._drop_lost()
                    mine_done = self._all_caught_up()
                    if (
                        self._need_refresh
                        or time.monotonic() - last_refresh >= self.cfg.refresh_interval
                        or (
                            until_idle and mine_done and (not refreshed_since_idle or self._waiting)
                        )
                    ):
                        self._need_refresh = False
                        self._refresh(state, executor, until_idle)
                        last_refresh = time.monotonic()
                        refreshed_since_idle = True
                    moved = self._poll_once()
                    self._log_metrics()
                    if moved:
                        refreshed_since_idle = False
                    if until_idle and refreshed_since_idle and self._all_caught_up():
                        if not self._waiting:
                            idle = True
                            break
                        blocked = self._given_up()
                        if blocked:
                            break
                    if deadline is not None and time.monotonic() >= deadline:
                        break
                    if not moved:
                        self._stop.wait(self.cfg.poll_interval)
            finally:
                done.set()
                renewer.join()
                for worker in list(self._workers.values()):
                    try:
                        state.release(worker.shard_id)
                    except AcmeError as exc:  # the lease simply expires
                        log.warning("could not release %s: %s", worker.shard_id, exc)
                self._workers.clear()
        return RunResult(
            self.stats,
            idle,
            sorted(self._owned),
            sorted(self._held_elsewhere),
            blocked,
            list(self._taken_over),
        )

    def _given_up(self) -> list[Blocked]:
        """Every shard still waited for, once the first of them is past its bound."""
        now = self.clock()
        if any(now >= b.give_up_at for b in self._waiting.values()):
            return sorted(self._waiting.values(), key=lambda b: b.shard_id)
        return []

    def _log_metrics(self) -> None:
        """Every ``metrics_log_interval`` seconds (0: never), one JSON metric line."""
        every = self.cfg.metrics_log_interval
        now = self.clock()
        if every <= 0 or now - self._metrics_at < every:
            return
        self._metrics_at = now
        log.info(metrics_line(self.cfg.consumer, self.stats, list(self._workers.values()), now))

    def _all_caught_up(self) -> bool:
        return all(w.caught_up for w in self._workers.values())

    def _renew_loop(self, state: LeaseStore, done: threading.Event) -> None:
        """Renew held leases in the background, so a slow batch does not lose its shard."""
        while not done.wait(self.cfg.lease_seconds / 3):
            for shard_id in list(self._workers):
                try:
                    state.renew(shard_id)
                except LeaseLost:
                    self._lost.add(shard_id)
                except AcmeError as exc:
                    log.warning("could not renew the lease on %s: %s", shard_id, exc)

    def _drop_lost(self) -> None:
        for shard_id in list(self._lost):
            self._lost.discard(shard_id)
            if shard_id in self._workers:
                self._lose(shard_id)

    def _lose(self, shard_id: str) -> None:
        """Drop a shard whose lease another holder took; with no worker left we are not
        caught up until a refresh has looked at who holds it and how far behind it is."""
        log.warning("lost the lease on %s; dropping it", shard_id)
        del self._workers[shard_id]
        self._need_refresh = True

    def _poll_once(self) -> bool:
        moved = False
        for shard_id, worker in list(self._workers.items()):
            if self._stop.is_set():
                break
            try:
                moved |= worker.step()
            except LeaseLost:
                self._lose(shard_id)
                moved = True  # not caught up: whoever holds it now is to be looked at
                continue
            if worker.finished:
                self._finished.add(shard_id)
                worker.state.release(shard_id)
                del self._workers[shard_id]
                self._need_refresh = True  # its children may be ready now
                moved = True
        return moved

    def _take(
        self, state: LeaseStore, shard_id: str, saved: ShardState | None
    ) -> ShardState | None:
        """The shard's lease: free or expired, or taken from a holder proven dead."""
        lease = state.acquire(shard_id)
        if lease is None and saved is not None and saved.owner and self.is_dead(saved.owner):
            lease = state.take_over(shard_id, saved.owner)
            if lease is not None:
                log.warning("took %s over from %s (its process is gone)", shard_id, saved.owner)
                self._taken_over.append(shard_id)
        return lease

    def _wait_for(self, shard: ShardInfo, saved: ShardState | None) -> None:
        """Until idle: note a foreign lease with records behind (none behind: caught up)."""
        behind, _, _ = backlog(self.source, shard, saved, BEHIND_CAP)
        if behind == 0:
            self._waiting.pop(shard.shard_id, None)
            return
        now = self.clock()
        first = self._waiting.get(shard.shard_id)
        expires = saved.lease_expires_ms / 1000 if saved is not None else now
        give_up_at = (
            first.give_up_at
            if first is not None
            else max(now + self.cfg.lease_seconds, expires) + TAKEOVER_MARGIN
        )
        holder = saved.owner if saved is not None else None
        self._waiting[shard.shard_id] = Blocked(
            shard.shard_id, holder, self.is_dead(holder), behind, give_up_at
        )

    def _refresh(self, state: LeaseStore, executor: ThreadPoolExecutor, until_idle: bool) -> None:
        stream = self.source.describe()
        saved = state.load_all()
        self._finished |= {sid for sid, s in saved.items() if s.finished}
        self._held_elsewhere.clear()
        ready = plan_ready(stream.shards, self._finished)
        for gone in set(self._waiting) - {s.shard_id for s in ready}:
            del self._waiting[gone]
        dlq = self.dead_letters()
        for shard in ready:
            if shard.shard_id in self._workers:
                continue
            lease = self._take(state, shard.shard_id, saved.get(shard.shard_id))
            if lease is None:
                self._held_elsewhere.add(shard.shard_id)
                if until_idle:
                    self._wait_for(shard, saved.get(shard.shard_id))
                continue
            self._waiting.pop(shard.shard_id, None)
            # LATEST applies to shards open when we first start, never to a child of a
            # parent we read (its records would be lost).
            parent_read = shard.parent_id is not None and shard.parent_id in self._finished
            start = (
                LATEST if self.cfg.starting_position == LATEST and not parent_read else TRIM_HORIZON
            )
            self._owned.add(shard.shard_id)
            self._workers[shard.shard_id] = ShardWorker(
                shard_id=shard.shard_id,
                source=self.source,
                stream=stream,
                state=state,
                dlq=dlq,
                cfg=self.cfg,
                handler=self.handler,
                executor=executor,
                stats=self.stats,
                checkpoint=lease.checkpoint,
                starting_position=start,
                clock=self.clock,
            )
