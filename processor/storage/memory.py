"""The in-memory event store: ``processor.storage.ports.EventStore`` in plain Python, for fast
tests.

It keeps DynamoDB's conditional semantics exactly (the contract suite runs the same tests on
both): an append is all or nothing under one lock; every event claims its ``(account, seq)``
and every idempotency record its txn id; taken txn ids raise ``TxnIdsTaken`` with exactly
those ids (they win over a taken seq), a taken seq raises ``SeqTaken``; a malformed append
is refused by the same ``check_append`` as the DynamoDB adapter's.
Reads are strongly consistent, as the DynamoDB adapter's are.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from acme_base.errors import UnknownCustomer
from processor.domain.archive import Step
from processor.domain.commands import OpenAccount
from processor.domain.decide import AccountState, fold
from processor.domain.events import LedgerEvent
from processor.storage.append_batch import AppendRequest, Results, chunks, results_of_cancelled
from processor.storage.archive_ports import ArchiveConflict
from processor.storage.pending_index import OpenPending, claimed_pending, markers_of
from processor.storage.ports import (
    IdempotencyRecord,
    SeqTaken,
    TxnIdsTaken,
    state_of_head,
)
from processor.storage.txn_details import TxnDetails, details_of, events_by_txn


@dataclass(frozen=True)
class AccountRecord:
    """The account item (``CUST#<customer>`` / ``ACCT#<account>``) of the DynamoDB store."""

    account_id: str
    customer_id: str
    currency: str
    opened_at: datetime


@dataclass
class MemoryEventStore:
    """Events per account by seq, idempotency records by txn id, accounts and customers.

    ``customers`` and ``phones`` (phone -> customer id: the uniqueness items) are written by
    ``processor.customers.memory.MemoryCustomerStore`` under ``lock``, as the DynamoDB
    adapters share the ledger table."""

    accounts: dict[tuple[str, str], AccountRecord] = field(default_factory=dict)
    #: the customer items (``processor.customers.model.Customer``: registered by the customers'
    #: twin, never upserted by an opening); only their ids are read here
    customers: dict[str, Any] = field(default_factory=dict)
    phones: dict[str, str] = field(default_factory=dict)
    _streams: dict[str, dict[int, LedgerEvent]] = field(default_factory=dict)
    _heads: dict[str, int] = field(default_factory=dict)
    _records: dict[str, IdempotencyRecord] = field(default_factory=dict)
    #: each txn id's events, in append order (its details are derived when read)
    _txn_events: dict[str, tuple[LedgerEvent, ...]] = field(default_factory=dict)
    #: open-pending markers by pending txn id (``processor.storage.pending_index``)
    _markers: dict[str, OpenPending] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- reads ----------------------------------------------------------------------------

    def head(self, account_id: str) -> LedgerEvent | None:
        with self._lock:
            seq = self._heads.get(account_id)
            return None if seq is None else self._streams[account_id][seq]

    def state(self, account_id: str) -> AccountState | None:
        return state_of_head(account_id, self.head(account_id))

    def events(
        self, account_id: str, from_seq: int = 0, to_seq: int | None = None
    ) -> Iterator[LedgerEvent]:
        with self._lock:
            stream = self._streams.get(account_id, {})
            seqs = sorted(s for s in stream if s >= from_seq and (to_seq is None or s <= to_seq))
            chosen = [stream[s] for s in seqs]
        yield from chosen

    def replay(self, account_id: str) -> AccountState | None:
        return fold(self.events(account_id))

    def all_events(self) -> Iterator[LedgerEvent]:
        with self._lock:
            everything = [e for stream in self._streams.values() for e in stream.values()]
        yield from everything

    def idempotency_record(self, txn_id: str) -> IdempotencyRecord | None:
        with self._lock:
            return self._records.get(txn_id)

    def all_records(self) -> Iterator[IdempotencyRecord]:
        with self._lock:
            records = list(self._records.values())
        yield from records

    def txn_details(self, txn_id: str) -> TxnDetails | None:
        """What the DynamoDB record ``TXN#<txn_id>`` carries (access pattern #10)."""
        with self._lock:
            events = self._txn_events.get(txn_id)
        return None if events is None else details_of(events)

    def expired_pendings(self, now: datetime) -> Iterator[OpenPending]:
        """The markers expired by ``now`` (DynamoDB: a Query per shard of the index)."""
        with self._lock:
            expired = [m for m in self._markers.values() if m.expires_at <= now]
        yield from sorted(expired, key=lambda m: (m.expires_at, m.pending_txn_id))

    # --- writes ---------------------------------------------------------------------------

    def append(
        self,
        events: Sequence[LedgerEvent],
        records: Sequence[IdempotencyRecord],
        opening: OpenAccount | None = None,
    ) -> None:
        """All or nothing: check every claim, then write (see the module docstring)."""
        request = AppendRequest(tuple(events), tuple(records), opening)
        request.opened  # noqa: B018 - check_append, raising for a malformed append
        with self._lock:
            refused = self._refusal(request)
            if refused is not None:
                raise refused
            self._write(request)

    def append_many(self, requests: Sequence[AppendRequest]) -> Results:
        """Several appends per "transaction" (``processor.storage.append_batch``): as DynamoDB, a
        transaction with a lost claim writes none of its requests; the losers get their
        failure, the others ``NotWritten``."""
        results, transactions = chunks(requests)
        for chunk in transactions:
            with self._lock:
                failures = {
                    j: refused
                    for j, i in enumerate(chunk)
                    if (refused := self._refusal(requests[i])) is not None
                }
                if not failures:
                    for i in chunk:
                        self._write(requests[i])
                    continue
            for j, result in enumerate(results_of_cancelled(failures, len(chunk))):
                results[chunk[j]] = result
        return results

    def _refusal(self, request: AppendRequest) -> Exception | None:
        """What this append would lose (checked under the lock), or None."""
        events, records, opening = request.events, request.records, request.opening
        if opening is not None and opening.customer_id not in self.customers:
            return UnknownCustomer(opening.customer_id)  # DynamoDB: a ConditionCheck
        taken = [r.txn_id for r in records if r.txn_id in self._records]
        if taken:
            return TxnIdsTaken(taken)
        seen = [
            self._streams[e.account_id][e.seq]
            for e in events
            if e.seq in self._streams.get(e.account_id, {})
        ]
        return SeqTaken(seen) if seen else None

    def _write(self, request: AppendRequest) -> None:
        events, records, opening = request.events, request.records, request.opening
        for event in events:
            self._streams.setdefault(event.account_id, {})[event.seq] = event
            self._heads[event.account_id] = max(self._heads.get(event.account_id, 0), event.seq)
        self._records.update((r.txn_id, r) for r in records)
        self._mark(events, records)
        by_txn = events_by_txn(events)
        self._txn_events.update(
            (r.txn_id, tuple(by_txn[r.txn_id])) for r in records if r.txn_id in by_txn
        )
        if opening is not None:
            opened = request.opened
            if opened is not None:
                self._open(opening, opened.occurred_at)

    def cut_history(self, step: Step) -> None:
        """One archival step, all or nothing (``ArchivableStore.cut_history``): every item
        it deletes or replaces must be exactly the event the step names."""
        account = step.snapshot.account_id
        with self._lock:
            stream = self._streams.get(account, {})
            if any(stream.get(e.seq) != e for e in (*step.deleted, step.replaced)):
                raise ArchiveConflict(
                    f"{account}: the live events changed under the archiver "
                    "(another archive run?); nothing was removed: rerun"
                )
            for event in step.deleted:
                del stream[event.seq]
            stream[step.snapshot.seq] = step.snapshot

    def _mark(self, events: Sequence[LedgerEvent], records: Sequence[IdempotencyRecord]) -> None:
        """The markers: a resolution claim replaces its pending's, a placement writes one."""
        for record in records:
            self._markers.pop(claimed_pending(record.txn_id) or "", None)
        self._markers.update((m.pending_txn_id, m) for m in markers_of(events, records))

    @property
    def lock(self) -> threading.Lock:
        """The one lock of this in-memory table (the customer store writes under it too)."""
        return self._lock

    def _open(self, cmd: OpenAccount, at: datetime) -> None:
        """The account record (conditional in DynamoDB, but it only ever exists with its
        ``AccountOpened`` event, whose seq-0 claim fails first); the customer is checked,
        never written."""
        self.accounts[(cmd.customer_id, cmd.account_id)] = AccountRecord(
            cmd.account_id, cmd.customer_id, cmd.currency, at
        )
