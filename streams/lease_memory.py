"""The in-memory twin of the stream consumers' checkpoints and leases (``LeaseTable``), held
to the DynamoDB adapter (``streams.state``) by the contract suite in tests/contract.

One ``MemoryLeaseTable`` is shared by every consumer and owner of a test (as the
``<prefix>-streams`` table is): each change is one conditional update under one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from streams.lease_ports import Clock, LeaseLost, ShardState

Key = tuple[str, str, str]  # consumer, stream label, shard id


@dataclass
class MemoryLeaseTable:
    rows: dict[Key, ShardState] = field(default_factory=dict)
    taken: dict[Key, int] = field(default_factory=dict)  # how often each lease was taken
    lock: threading.Lock = field(default_factory=threading.Lock)

    def open(
        self, consumer: str, stream_label: str, owner: str, lease_seconds: float, clock: Clock
    ) -> MemoryLeaseStore:
        return MemoryLeaseStore(self, consumer, stream_label, owner, lease_seconds, clock)

    def live_leases(self, now: float) -> list[ShardState]:
        with self.lock:
            return [
                s
                for s in self.rows.values()
                if s.owner is not None and s.lease_expires_ms > int(now * 1000)
            ]


@dataclass
class MemoryLeaseStore:
    table: MemoryLeaseTable
    consumer: str
    stream_label: str
    owner: str
    lease_seconds: float = 30.0
    clock: Clock = field(default=lambda: 0.0)

    def _key(self, shard_id: str) -> Key:
        return (self.consumer, self.stream_label, shard_id)

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    def _expiry(self) -> int:
        return self._now_ms() + int(self.lease_seconds * 1000)

    def load_all(self) -> dict[str, ShardState]:
        with self.table.lock:
            return {
                key[2]: state
                for key, state in self.table.rows.items()
                if key[:2] == (self.consumer, self.stream_label)
            }

    def acquire(self, shard_id: str) -> ShardState | None:
        now = self._now_ms()
        return self._take(
            shard_id,
            lambda s: s.owner is None or s.owner == self.owner or s.lease_expires_ms < now,
        )

    def take_over(self, shard_id: str, holder: str) -> ShardState | None:
        return self._take(shard_id, lambda s: s.owner == holder)

    def _take(self, shard_id: str, may: Callable[[ShardState], bool]) -> ShardState | None:
        key = self._key(shard_id)
        with self.table.lock:
            current = self.table.rows.get(key) or ShardState(shard_id)
            if current.finished or not may(current):
                return None
            new = replace(current, owner=self.owner, lease_expires_ms=self._expiry())
            self.table.rows[key] = new
            self.table.taken[key] = self.table.taken.get(key, 0) + 1
            return new

    def _guarded(self, shard_id: str, what: str, change: dict[str, Any]) -> None:
        key = self._key(shard_id)
        with self.table.lock:
            old = self.table.rows.get(key)
            if old is None or old.owner != self.owner:
                raise LeaseLost(f"lease on {shard_id} lost ({what})")
            self.table.rows[key] = replace(old, **change)

    def renew(self, shard_id: str) -> None:
        self._guarded(shard_id, "renew lease", {"lease_expires_ms": self._expiry()})

    def checkpoint(self, shard_id: str, seq: str | None, finished: bool = False) -> None:
        change: dict[str, Any] = {"lease_expires_ms": self._expiry(), "finished": finished}
        if seq is not None:
            change["checkpoint"] = seq
        self._guarded(shard_id, "checkpoint", change)

    def release(self, shard_id: str) -> None:
        try:
            self._guarded(shard_id, "release lease", {"owner": None, "lease_expires_ms": 0})
        except LeaseLost:
            return
