"""Many accounts per round trip: appends of different accounts that are ready at the same time
share one ``TransactWriteItems``.

The per-account group commit (``group_commit``) already packs one account's credits and
debits into one append; this packs the appends of *different* accounts (groups, transfers,
openings, resolutions) that wait at the same moment into one transaction, up to its
``MAX_ITEMS`` actions (the DynamoDB adapter also splits at its 4 MB). Callers keep calling
``append`` as before and get the same answer as before, for their own append only:

- written: ``append`` returns;
- one of its own claims lost (``TxnIdsTaken``, ``SeqTaken``, ``UnknownCustomer``, ...): it
  raises exactly that, so only that caller's commands are decided again (``appends``);
- cancelled only because *another* append in the same transaction lost: nothing of it was
  written (a transaction is all or nothing), and it goes into the next transaction at once,
  unchanged (``NotWritten`` never reaches a caller).

Appends in one transaction name disjoint keys (accounts, txn ids, customers checked by an
opening, pending markers): DynamoDB refuses two actions on one item, and it keeps one
account's appends in the order they were queued. At most ``writers`` transactions are in
flight at once; whoever finds a free slot becomes a writer and drains the queue (like the
group commit's leader), so a lone caller is written at once, without waiting for company
(and, when the queue is empty, without going through it).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol, runtime_checkable

from acme_base.handoff import Handoff
from acme_base.keys import resolution_claim
from processor.domain.commands import OpenAccount
from processor.domain.events import AccountOpened, LedgerEvent
from processor.storage.pending_index import OpenPending, markers_of
from processor.storage.ports import MAX_ITEMS, EventStore, IdempotencyRecord, check_append


class NotWritten(Exception):
    """The request was not written because another request of its transaction lost a claim:
    send it again, unchanged (nothing of it was decided wrongly)."""


@dataclass(frozen=True)
class AppendRequest:
    """One caller's append (``EventStore.append``'s arguments)."""

    events: tuple[LedgerEvent, ...]
    records: tuple[IdempotencyRecord, ...] = ()
    opening: OpenAccount | None = None
    #: the pending markers it writes (``pending_index.markers_of``)
    markers: list[OpenPending] = field(init=False, repr=False, compare=False)
    #: the transaction actions it takes (as ``ports.check_append`` counts them)
    items: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # computed at once rather than as cached properties: every request needs both, and
        # a cached property's first look-up takes a lock (Python 3.11)
        markers = markers_of(self.events, self.records)
        opening = 2 if self.opening is not None else 0
        object.__setattr__(self, "markers", markers)
        object.__setattr__(
            self, "items", len(self.events) + len(self.records) + len(markers) + opening
        )

    @cached_property
    def opened(self) -> AccountOpened | None:
        """``ports.check_append``'s verdict, once (a request never changes): the opening's
        event, or the ``ValueError`` of a malformed append, raised on every look-up."""
        return check_append(self.events, self.records, self.opening)

    @cached_property
    def keys(self) -> frozenset[str]:
        """Every item it writes or checks, by name: two requests sharing one may not share a
        transaction."""
        keys = {f"acct:{e.account_id}" for e in self.events}
        keys.update(f"txn:{r.txn_id}" for r in self.records)
        keys.update(f"txn:{resolution_claim(m.pending_txn_id)}" for m in self.markers)
        if self.opening is not None:
            keys.add(f"cust:{self.opening.customer_id}")
        return frozenset(keys)


#: one result per request: None (written) or why not (``NotWritten``: send again at once)
Results = list[BaseException | None]


class Writer(Protocol):
    """What the optimistic loop (``appends.Appender``) writes through: a store, or a batcher."""

    def append(
        self,
        events: Sequence[LedgerEvent],
        records: Sequence[IdempotencyRecord],
        opening: OpenAccount | None = None,
    ) -> None: ...


@runtime_checkable
class BatchStore(Protocol):
    """A store that writes several independent appends per round trip."""

    def append_many(self, requests: Sequence[AppendRequest]) -> Results:
        """Write the requests (each all or nothing); see ``results_of_cancelled`` for what a
        cancelled transaction answers."""
        ...


def chunks(
    requests: Sequence[AppendRequest], max_items: int = MAX_ITEMS
) -> tuple[Results, list[list[int]]]:
    """Results so far (a malformed request's ``ValueError``, from ``ports.check_append``,
    as ``append`` raises it) and the other requests' indexes in consecutive transactions of
    at most ``max_items`` actions."""
    results: Results = [None] * len(requests)
    out: list[list[int]] = []
    used = max_items
    for i, request in enumerate(requests):
        try:
            request.opened  # noqa: B018 - check_append, raising for a malformed request
        except ValueError as exc:
            results[i] = exc
            continue
        if used + request.items > max_items:
            out.append([])
            used = 0
        out[-1].append(i)
        used += request.items
    return results, out


def results_of_cancelled(failures: Mapping[int, BaseException], n: int) -> Results:
    """A cancelled transaction of ``n`` requests: the losers get their own failure, every
    other request ``NotWritten`` (retry at once)."""
    return [failures.get(i, NotWritten()) for i in range(n)]


@dataclass(slots=True)
class _Waiting:
    request: AppendRequest
    future: Handoff[None] = field(default_factory=Handoff)


@dataclass
class AppendBatcher:
    """``append`` as ``EventStore.append``, sharing transactions across callers (see the
    module docstring). ``stats``: ``transactions`` sent and ``requests`` written, and
    ``resent`` (requests sent again after another's lost claim)."""

    store: BatchStore
    writers: int = 2
    max_items: int = MAX_ITEMS
    stats: dict[str, int] = field(default_factory=dict)
    _queue: list[_Waiting] = field(default_factory=list)
    _active: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def append(
        self,
        events: Sequence[LedgerEvent],
        records: Sequence[IdempotencyRecord],
        opening: OpenAccount | None = None,
    ) -> None:
        """Queue the append, write queued appends while a writer slot is free, wait for ours."""
        request = AppendRequest(tuple(events), tuple(records), opening)
        request.opened  # noqa: B018 - check_append: a malformed append fails alone, at once
        waiting = _Waiting(request)
        with self._lock:
            lead = self._active < self.writers
            lone = lead and not self._queue  # nobody to share with: write it at once
            if lead:
                self._active += 1
            if not lone:
                self._queue.append(waiting)
        if lone:
            self._write_guarded([waiting])
        if lead:
            self._write_while_queued(waiting)
        waiting.future.result()

    def _write_while_queued(self, own: _Waiting) -> None:
        """Write batches until the queue is empty, or until our own append is settled while
        another writer is still at it (it drains the rest: our caller need not wait)."""
        while True:
            with self._lock:
                batch, rest = take_batch(self._queue, self.max_items)
                if not batch or (own.future.done() and self._active > 1):
                    self._active -= 1
                    return
                self._queue = rest
            self._write_guarded(batch)

    def _write_guarded(self, batch: list[_Waiting]) -> None:
        try:
            self._write(batch)
        except BaseException as exc:  # never leave a caller waiting on a broken write
            for waiting in batch:
                if not waiting.future.done():
                    waiting.future.set_exception(exc)

    def _write(self, batch: list[_Waiting]) -> None:
        try:
            results = self.store.append_many([w.request for w in batch])
        except BaseException as exc:  # a backend failure: every caller of the batch gets it
            results = [exc] * len(batch)
        again = [w for w, r in zip(batch, results, strict=True) if isinstance(r, NotWritten)]
        self._count(len(batch) - len(again), len(again))
        if again:
            with self._lock:
                self._queue[:0] = again  # first in line: the next transaction takes them
        for waiting, result in zip(batch, results, strict=True):
            if result is None:
                waiting.future.set_result(None)
            elif not isinstance(result, NotWritten):
                waiting.future.set_exception(result)

    def _count(self, settled: int, resent: int) -> None:
        with self._lock:
            self.stats["transactions"] = self.stats.get("transactions", 0) + 1
            self.stats["requests"] = self.stats.get("requests", 0) + settled
            self.stats["resent"] = self.stats.get("resent", 0) + resent


def take_batch(queue: list[_Waiting], max_items: int) -> tuple[list[_Waiting], list[_Waiting]]:
    """The queue's requests, in order, that fit one transaction with disjoint keys; the rest
    keep their order (a request sharing a key with an earlier one waits: per-key order)."""
    if len(queue) <= 1:  # the first request always goes (the single-threaded case)
        return list(queue), []
    batch: list[_Waiting] = []
    rest: list[_Waiting] = []
    used, taken = 0, set[str]()
    blocked: set[str] = set()
    for waiting in queue:
        request = waiting.request
        keys = request.keys
        fits = used + request.items <= max_items or not batch
        if fits and not keys & taken and not keys & blocked:
            batch.append(waiting)
            used += request.items
            taken |= keys
        else:
            rest.append(waiting)
            blocked |= keys  # nothing after it on these keys may overtake it
    return batch, rest


def batched(store: EventStore, writers: int) -> Writer:
    """The batcher over ``store`` when it can write batches and ``writers`` > 0, else the
    store itself."""
    if writers > 0 and isinstance(store, BatchStore):
        return AppendBatcher(store, writers)
    return store
