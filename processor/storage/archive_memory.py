"""The in-memory archive table: ``processor.storage.archive_ports.ArchiveStore`` in plain Python
(held to the DynamoDB adapter's behaviour by ``tests/contract/test_archive_contract.py``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from processor.domain.events import LedgerEvent
from processor.storage.archive_ports import ArchiveConflict


@dataclass
class MemoryArchiveStore:
    _events: dict[tuple[str, int], LedgerEvent] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def events(
        self, account_id: str, from_seq: int = 0, to_seq: int | None = None
    ) -> Iterator[LedgerEvent]:
        with self._lock:
            chosen = sorted(
                (e for (a, s), e in self._events.items() if a == account_id and s >= from_seq),
                key=lambda e: e.seq,
            )
        yield from (e for e in chosen if to_seq is None or e.seq <= to_seq)

    def all_events(self) -> Iterator[LedgerEvent]:
        with self._lock:
            everything = list(self._events.values())
        yield from everything

    def put(self, events: Sequence[LedgerEvent]) -> int:
        with self._lock:
            for event in events:
                old = self._events.get((event.account_id, event.seq))
                if old is not None and old != event:
                    raise ArchiveConflict(
                        f"{event.account_id} seq {event.seq}: the archive holds another event "
                        f"({old.event_type} {old.txn_id}) than the ledger ({event.txn_id})"
                    )
            new = [e for e in events if (e.account_id, e.seq) not in self._events]
            self._events.update(((e.account_id, e.seq), e) for e in new)
            return len(new)
