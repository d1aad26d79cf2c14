"""The in-memory twin of the as-of reads' source (``processor.reads.asof.AsOfSource``).

It reads ``processor.storage.memory.MemoryEventStore`` and orders the events as DynamoDB's GSI1
does (effective day, then seq), so ``processor.reads.asof.AsOfReads`` answers the same on both
(``tests/contract/test_asof_contract.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from processor.domain.events import LedgerEvent
from processor.storage.codec import event_to_item
from processor.storage.ports import EventReader
from processor.storage.query_specs import NO_MONEY

#: the kinds of the events that move no money (left out of a statement, as the adapter's filter)
_NO_MONEY_KINDS = frozenset(NO_MONEY.values())
#: the kinds of the item that starts an account's log: its opening, or its archive snapshot
_STARTS = frozenset({"open"})


def _index_key(event: LedgerEvent) -> tuple[str, int]:
    return event.txn_date, event.seq


@dataclass
class MemoryAsOfSource:
    """``AsOfSource`` over any ``EventReader`` (``queries_made``: reads, as the adapter's)."""

    store: EventReader
    queries_made: int = 0

    def _events(self, account_id: str) -> list[LedgerEvent]:
        self.queries_made += 1
        return list(self.store.events(account_id))

    def newest_first(self, account_id: str) -> Iterator[LedgerEvent]:
        return reversed(self._events(account_id))

    def effective_from(self, account_id: str, day: str) -> Iterator[LedgerEvent]:
        chosen = [e for e in self._events(account_id) if e.txn_date >= day]
        return iter(sorted(chosen, key=_index_key))

    def newest_by(self, account_id: str, day: str) -> Iterator[LedgerEvent]:
        chosen = [e for e in self._events(account_id) if e.txn_date <= day]
        return iter(sorted(chosen, key=_index_key, reverse=True))

    def in_range(self, account_id: str, first: str, last: str) -> Iterator[dict[str, Any]]:
        chosen = [e for e in self._events(account_id) if first <= e.txn_date <= last]
        items = (event_to_item(e) for e in sorted(chosen, key=_index_key))
        return (i for i in items if i.get("kind") not in _NO_MONEY_KINDS)

    def accounts(self) -> Iterator[str]:
        seen: set[str] = set()
        for event in self.store.all_events():
            if event.account_id not in seen and getattr(event, "kind", None) in _STARTS:
                seen.add(event.account_id)
                yield event.account_id
