"""The in-memory view store: ``projections.ports.ViewStore`` in plain Python, for fast tests.

It keeps the DynamoDB adapter's semantics exactly (the contract suite runs the same tests on
both): ``apply`` checks the balance guard and writes the whole chunk under one lock, or raises
``GuardMoved`` with the stored ``applied_seq`` and writes nothing; items are the same plain
dicts (``projections.items``), so the same readers serve both; ``declined`` answers like the
sparse GSI (only items with both index keys, one reason, a ``txn_date`` range, in date order).
One lock serialises every call, so it never raises ``GuardConflict``.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from acme_base.keys import DAY_SHARDS, balance_key, day_key
from processor.domain.currency import DEFAULT_CURRENCY
from projections.items import (
    DAILY,
    DECLINED_DATE,
    DECLINED_REASON,
    balance_item,
    balance_of,
    currency_of,
    daily_item,
    daily_totals_key,
    declined_item,
    declined_of,
    key_of,
    snapshot_of,
    totals_of,
)
from projections.model import BalanceView, DailyTotals, DeclinedEntry, Snapshot
from projections.plan import Chunk
from projections.ports import TRANSACT_UNITS_PER_ITEM, GuardMoved, balance_after, guard_holds

Key = tuple[str, str]


def _key(key: dict[str, str]) -> Key:
    return (key["PK"], key["SK"])


@dataclass
class MemoryViewStore:
    """Every item of the views table by ``(PK, SK)``, behind one lock."""

    _items: dict[Key, dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- reads ----------------------------------------------------------------------------

    def balance(self, account_id: str) -> BalanceView | None:
        with self._lock:
            item = self._items.get(_key(balance_key(account_id)))
            return balance_of(item) if item else None

    def scan(self, entity: str | None = None) -> Iterator[dict[str, Any]]:
        with self._lock:
            chosen = [
                copy.deepcopy(i)
                for i in self._items.values()
                if entity is None or i.get("entity") == entity
            ]
        yield from chosen

    def snapshot(self) -> Snapshot:
        return snapshot_of(self.scan())

    def daily(
        self, dates: Sequence[str], currency: str = DEFAULT_CURRENCY
    ) -> dict[str, DailyTotals]:
        totals = {d: DailyTotals() for d in dates}
        with self._lock:
            for date in dates:
                for shard in range(DAY_SHARDS):
                    item = self._items.get(_key(daily_totals_key(date, shard, currency)))
                    if item:
                        totals[date] = totals[date] + totals_of(item)
        return totals

    def daily_by_currency(self, dates: Sequence[str]) -> dict[str, dict[str, DailyTotals]]:
        out: dict[str, dict[str, DailyTotals]] = {d: {} for d in dates}
        partitions = {day_key(d, s): d for d in dates for s in range(DAY_SHARDS)}
        with self._lock:
            for (pk, _sk), item in self._items.items():
                if pk in partitions and item.get("entity") == DAILY:
                    per = out[partitions[pk]]
                    code = currency_of(item)
                    per[code] = per.get(code, DailyTotals()) + totals_of(item)
        return out

    def declined(self, reason: str, date_from: str, date_to: str) -> Iterator[DeclinedEntry]:
        with self._lock:
            hits = [
                i
                for i in self._items.values()
                if i.get(DECLINED_REASON) == reason
                and isinstance(i.get(DECLINED_DATE), str)
                and date_from <= i[DECLINED_DATE] <= date_to
            ]
            entries = [declined_of(i) for i in sorted(hits, key=_by_date)]
        yield from entries

    # --- bulk writes (rebuild) ------------------------------------------------------------

    def put_all(self, items: Iterable[dict[str, Any]]) -> int:
        count = 0
        for item in items:
            with self._lock:
                self._items[_key(key_of(item))] = copy.deepcopy(item)
            count += 1
        return count

    def delete_all(self, keys: Iterable[dict[str, str]]) -> int:
        count = 0
        for key in keys:
            with self._lock:
                self._items.pop(_key(key), None)
            count += 1
        return count

    # --- the projector's guarded write ----------------------------------------------------

    def apply(self, chunk: Chunk) -> float:
        """Check the guard, then write the balance, the daily ADDs and the declined entries."""
        balance_at = _key(balance_key(chunk.account_id))
        with self._lock:
            old = self._items.get(balance_at)
            stored = balance_of(old) if old else None
            if not guard_holds(chunk, stored):
                raise GuardMoved(stored.applied_seq if stored else None)
            self._items[balance_at] = {**(old or {}), **balance_item(balance_after(chunk))}
            for (date, code, shard), delta in chunk.daily.items():
                at = _key(daily_totals_key(date, shard, code))
                current = self._items.get(at)
                before = totals_of(current) if current else DailyTotals()
                after = daily_item(date, shard, before + delta, code)
                self._items[at] = {**(current or {}), **after}
            for entry in chunk.declined:
                item = declined_item(entry)
                self._items[_key(key_of(item))] = item
        return TRANSACT_UNITS_PER_ITEM * chunk.items


def _by_date(item: dict[str, Any]) -> tuple[str, str, str]:
    """The GSI's order: by ``txn_date`` (ties in table-key order, as a fixed choice)."""
    return (str(item[DECLINED_DATE]), str(item["PK"]), str(item["SK"]))
