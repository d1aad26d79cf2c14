"""Planted bugs of the cross-account batching (``processor.storage.append_batch``;
``mutants.MUTATIONS``
lists them): a batch retried after a partial cancellation drops or doubles a command. Caught by
the property of ``tests/unit/test_append_batch.py`` (rival ledgers cancel shared transactions)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any
from unittest import mock


@contextlib.contextmanager
def resent_dropped() -> Iterator[None]:
    """The appends a partial cancellation sends again are answered as written instead: their
    commands are reported approved, but nothing of them is in the log."""
    from processor.storage import append_batch

    def write(self: Any, batch: list[Any]) -> None:
        results = self.store.append_many([w.request for w in batch])
        for waiting, result in zip(batch, results, strict=True):
            if result is None or isinstance(result, append_batch.NotWritten):
                waiting.future.set_result(None)
            else:
                waiting.future.set_exception(result)

    with mock.patch.object(append_batch.AppendBatcher, "_write", write):
        yield


@contextlib.contextmanager
def cancelled_survivors_written() -> Iterator[None]:
    """A cancelled transaction still writes the appends that did not lose, and tells them to
    send again: each is then written a second time (as its own duplicate)."""
    from processor.storage.append_batch import AppendRequest, NotWritten
    from processor.storage.memory import MemoryEventStore

    real = MemoryEventStore.append_many

    def append_many(self: Any, requests: Sequence[AppendRequest]) -> list[Any]:
        results = real(self, requests)
        for request, result in zip(requests, results, strict=True):
            if isinstance(result, NotWritten):
                with self.lock:
                    self._write(request)
        return results

    with mock.patch.object(MemoryEventStore, "append_many", append_many):
        yield
