"""Planted bugs of the stream consumers under faults, caught by the nemesis machine
(``tests/nemesis/machine.py``; ``mutants.MUTATIONS`` lists them)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from unittest import mock


@contextlib.contextmanager
def idle_on_foreign_lease() -> Iterator[None]:
    """A shard leased by another holder counts as caught up: never waited for, never taken
    from a dead holder (``--until-idle`` exits 0 with records behind)."""
    from streams.poller import Poller

    def take(self: Poller, state: Any, shard_id: str, saved: Any) -> Any:
        return state.acquire(shard_id)

    def wait_for(self: Poller, shard: Any, saved: Any) -> None:
        return None

    with mock.patch.object(Poller, "_take", take), mock.patch.object(Poller, "_wait_for", wait_for):
        yield


@contextlib.contextmanager
def idle_after_losing_a_lease() -> Iterator[None]:
    """A poller whose lease was taken mid-run drops the shard and, with no worker left,
    reports idle without looking at who holds it now."""
    from streams.poller import Poller

    def lose(self: Poller, shard_id: str) -> None:
        del self._workers[shard_id]

    real_poll = Poller._poll_once

    def poll_once(self: Poller) -> bool:
        before = set(self._workers)
        moved = real_poll(self)
        lost = before - set(self._workers) - self._finished
        return moved and not lost

    with (
        mock.patch.object(Poller, "_lose", lose),
        mock.patch.object(Poller, "_poll_once", poll_once),
    ):
        yield


@contextlib.contextmanager
def checkpoint_before_handler() -> Iterator[None]:
    """The worker checkpoints what it read before handing it to the handler: a crash in
    between loses those records for good."""
    from streams.worker import ShardWorker

    real = ShardWorker._deliver

    def deliver(self: ShardWorker) -> None:
        if self.scan_seq is not None and self.scan_seq != self.checkpoint:
            self._save(self.scan_seq)
        real(self)

    with mock.patch.object(ShardWorker, "_deliver", deliver):
        yield
