"""The fast lane's parts: the product on the in-memory twins with a stream, and the faults
the nemesis injects into them (a crashing consumer, lost responses, throttled and timed-out
stores, a clock that jumps).

``Crash`` is a ``BaseException``: a process dying, which no handler may catch. A crashed
consumer's lease store refuses every later call with ``Crash`` too, so the poller's clean-up
(releasing its leases) never runs, as when the process is SIGKILLed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from acme_base.errors import BackendUnavailable, Throttled
from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from processor.domain.commands import OpenAccount
from processor.domain.events import LedgerEvent
from processor.storage.append_batch import AppendRequest, Results
from processor.storage.ports import IdempotencyRecord
from projections.ports import ViewStore
from streams.lease_memory import MemoryLeaseTable
from streams.lease_ports import Clock, LeaseStore, ShardState
from streams.memory import MemoryShardSource
from streams.memory_ledger import StreamedEventStore
from streams.worker import Handler

EPOCH = datetime(2030, 1, 1, tzinfo=UTC)


class Crash(BaseException):
    """A consumer process dying mid-work."""


@dataclass
class FakeClock:
    """Epoch seconds that move only when told: ``jump`` (a rule) or ``tick`` per reading
    (while a consumer runs, so leases and retry backoffs can expire)."""

    now: float = EPOCH.timestamp()
    tick: float = 0.0

    def __call__(self) -> float:
        self.now += self.tick
        return self.now

    def utc(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)

    def jump(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Faults:
    """How many of the next calls fail, per kind."""

    throttle_appends: int = 0  # refused before the write
    lose_responses: int = 0  # written, then the caller sees a timeout
    throttle_views: int = 0  # a projection write refused
    throttle_leases: int = 0  # a checkpoint refused

    @staticmethod
    def take(count: int) -> tuple[bool, int]:
        return (count > 0, max(0, count - 1))


@dataclass
class FaultyEventStore(StreamedEventStore):
    faults: Faults = field(default_factory=Faults)

    def append(
        self,
        events: Sequence[LedgerEvent],
        records: Sequence[IdempotencyRecord],
        opening: OpenAccount | None = None,
    ) -> None:
        hit, self.faults.throttle_appends = Faults.take(self.faults.throttle_appends)
        if hit:
            raise Throttled("injected: append throttled")
        super().append(events, records, opening)
        self._maybe_lose_the_response()

    def append_many(self, requests: Sequence[AppendRequest]) -> Results:
        """A batch of appends (``processor.storage.append_batch``), under the same faults."""
        hit, self.faults.throttle_appends = Faults.take(self.faults.throttle_appends)
        if hit:
            raise Throttled("injected: batch append throttled")
        results = super().append_many(requests)
        self._maybe_lose_the_response()
        return results

    def _maybe_lose_the_response(self) -> None:
        hit, self.faults.lose_responses = Faults.take(self.faults.lose_responses)
        if hit:
            raise BackendUnavailable("injected: the write committed, its response was lost")


@dataclass
class CrashPlan:
    """Where one consumer run dies: ``point`` is ``mid_batch`` (the handler gets half its
    records, then the process dies), ``before_checkpoint`` (after the handler, before the
    checkpoint is written) or ``after_checkpoint``; at the ``at``-th invocation."""

    point: str | None = None
    at: int = 1
    invocations: int = 0
    crashed: bool = False
    armed: bool = False  # the handler ran the crashing invocation; the checkpoint is next

    def handler(self, inner: Handler) -> Handler:
        def handle(event: dict[str, Any], context: Any = None) -> Any:
            if self.crashed:
                raise Crash()
            records = event.get("Records", [])
            if records:
                self.invocations += 1
            due = self.point is not None and self.invocations == self.at and records
            if due and self.point == "mid_batch":
                inner({**event, "Records": records[: len(records) // 2]}, context)
                self.crashed = True
                raise Crash()
            response = inner(event, context)
            self.armed = bool(due)
            return response

        return handle


@dataclass
class CrashingLeases:
    """One consumer instance's lease store: dies with the process (``CrashPlan``), and
    throttles checkpoints when told (``Faults``)."""

    inner: LeaseStore
    plan: CrashPlan
    faults: Faults

    @property
    def owner(self) -> str:
        return self.inner.owner

    def _alive(self) -> None:
        if self.plan.crashed:
            raise Crash()

    def load_all(self) -> dict[str, ShardState]:
        self._alive()
        return self.inner.load_all()

    def acquire(self, shard_id: str) -> ShardState | None:
        self._alive()
        return self.inner.acquire(shard_id)

    def take_over(self, shard_id: str, holder: str) -> ShardState | None:
        self._alive()
        return self.inner.take_over(shard_id, holder)

    def renew(self, shard_id: str) -> None:
        self._alive()
        self.inner.renew(shard_id)

    def checkpoint(self, shard_id: str, seq: str | None, finished: bool = False) -> None:
        self._alive()
        if self.plan.armed and self.plan.point == "before_checkpoint":
            self.plan.crashed = True
            raise Crash()
        hit, self.faults.throttle_leases = Faults.take(self.faults.throttle_leases)
        if hit:
            raise Throttled("injected: checkpoint throttled")
        self.inner.checkpoint(shard_id, seq, finished)
        if self.plan.armed and self.plan.point == "after_checkpoint":
            self.plan.crashed = True
            raise Crash()

    def release(self, shard_id: str) -> None:
        self._alive()
        self.inner.release(shard_id)


@dataclass
class InstanceLeases:
    """A ``LeaseTable`` opening ``CrashingLeases`` over the shared twin."""

    table: MemoryLeaseTable
    plan: CrashPlan
    faults: Faults

    def open(
        self, consumer: str, stream_label: str, owner: str, lease_seconds: float, clock: Clock
    ) -> CrashingLeases:
        inner = self.table.open(consumer, stream_label, owner, lease_seconds, clock)
        return CrashingLeases(inner, self.plan, self.faults)

    def live_leases(self, now: float) -> list[ShardState]:
        return self.table.live_leases(now)


def memory_app(
    clock: FakeClock, faults: Faults, views: ViewStore | None = None
) -> tuple[App, MemoryShardSource]:
    """The product on the twins, its event store streaming into a memory shard."""
    source = MemoryShardSource()
    store = FaultyEventStore(source=source, faults=faults)
    settings = Settings(table_prefix="nemesis")
    app = bootstrap(settings, memory=True, event_store=store, clock=clock.utc, views=views)
    return app, source


def days(n: float) -> float:
    return timedelta(days=n).total_seconds()
