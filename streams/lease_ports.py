"""The port of the stream consumers' checkpoints and leases (one record per consumer, stream
and shard, like the KCL's lease table), with its value type and error.

Two adapters hold to it, checked by one contract suite (tests/contract): the DynamoDB one in
``streams.state`` (the ``<prefix>-streams`` table) and the in-memory twin in
``streams.lease_memory``. The rules every adapter keeps:

- a lease is taken when it is free, expired (by the store's clock) or already ours, and never
  on a finished shard; ``take_over`` takes it from a named holder (one proven dead) at once;
- a checkpoint, a renewal and a release only happen while we hold the lease: otherwise
  ``LeaseLost`` (a consumer that lost its shard can never move its checkpoint);
- a release frees the lease at once and keeps the checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from acme_base.errors import AcmeError

Clock = Callable[[], float]


class LeaseLost(AcmeError):
    """Another poller holds this shard now; stop processing it."""


@dataclass(frozen=True)
class ShardState:
    shard_id: str
    checkpoint: str | None = None  # last sequence number fully processed
    finished: bool = False  # closed shard read to its end
    owner: str | None = None
    lease_expires_ms: int = 0

    def held_by_other(self, me: str, now: float) -> bool:
        """Is this lease live and someone else's at ``now`` (epoch seconds)?"""
        return self.owner is not None and self.owner != me and self.lease_expires_ms > now * 1000


class LeaseStore(Protocol):
    """One consumer's leases and checkpoints on one stream, as one owner."""

    owner: str

    def load_all(self) -> dict[str, ShardState]: ...

    def acquire(self, shard_id: str) -> ShardState | None:
        """Take (or keep) the lease of an unfinished shard; None if someone else holds it."""
        ...

    def take_over(self, shard_id: str, holder: str) -> ShardState | None:
        """Take the lease from ``holder`` (proven dead) even if unexpired; None if it moved."""
        ...

    def renew(self, shard_id: str) -> None: ...

    def checkpoint(self, shard_id: str, seq: str | None, finished: bool = False) -> None:
        """Record progress (and renew the lease); raise LeaseLost if it is not ours."""
        ...

    def release(self, shard_id: str) -> None:
        """Give the lease up (another poller may take the shard at once)."""
        ...


class LeaseTable(Protocol):
    """Where every consumer's leases live: opens one consumer's store, lists live leases."""

    def open(
        self, consumer: str, stream_label: str, owner: str, lease_seconds: float, clock: Clock
    ) -> LeaseStore: ...

    def live_leases(self, now: float) -> list[ShardState]:
        """Leases of any consumer that have not expired at ``now`` (epoch seconds)."""
        ...
