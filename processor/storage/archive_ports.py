"""The archive's ports: the archive table, and the one write archival makes on the ledger.

``ArchiveStore`` is the archive table (``<prefix>-archive``): immutable events under the
ledger's keys, written idempotently. ``ArchivableStore`` is an event store that can also
apply one cut step (``processor.domain.archive.Step``) atomically. Each has a DynamoDB adapter and
an in-memory twin, held to the same behaviour by ``tests/contract/test_archive_contract.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from acme_base.errors import AcmeError
from processor.domain.archive import Step
from processor.domain.events import LedgerEvent
from processor.storage.ports import EventStore


class ArchiveConflict(AcmeError):
    """The archive or the live table holds something else than archival expected (another
    archiver ran at the same time, or the tables were edited): nothing of this write was
    made; rerun ``acme-txn archive``, which reads the state afresh."""


class ArchiveStore(Protocol):
    """The archive table: events moved out of the live ledger."""

    def put(self, events: Sequence[LedgerEvent]) -> int:
        """Store ``events`` (immutable): an event already there is left alone if equal, an
        unequal one raises ``ArchiveConflict``. Returns how many were newly written."""
        ...

    def events(
        self, account_id: str, from_seq: int = 0, to_seq: int | None = None
    ) -> Iterator[LedgerEvent]:
        """Archived events of one account in seq order, ``from_seq..to_seq`` inclusive."""
        ...

    def all_events(self) -> Iterator[LedgerEvent]:
        """Every archived event (any order across accounts)."""
        ...


class ArchivableStore(EventStore, Protocol):
    def cut_history(self, step: Step) -> None:
        """Atomically delete ``step.deleted`` and replace ``step.replaced`` by
        ``step.snapshot``, each conditional on the live item being exactly that event;
        otherwise ``ArchiveConflict`` and nothing is written."""
        ...
