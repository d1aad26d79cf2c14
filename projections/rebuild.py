"""Rebuild a read model: drop its items, replay it from the event log, compare.

Daily totals and the declined index move with the balance guard (``applied_seq``), so a
rebuild must keep the three models consistent with that guard:

- ``all``: every model is replayed from the whole event log (one scan, one snapshot);
- ``balances``, ``daily`` or ``declined`` alone: each account is replayed only up to the
  ``applied_seq`` of its live balance item (read before anything is dropped), so the rebuilt
  model covers exactly the events the live guard says were applied, and the projector carries
  on from there.

Rebuilding ``daily`` (or ``all``) also rewrites daily totals written before currencies in
today's layout (the USD items keep their keys and gain ``currency``); it is not needed for
them to be read, as an item without ``currency`` reads as USD.

Run it with the projector stopped (`acme-txn project --rebuild` refuses while a stream consumer
holds a live shard lease, unless `--force`; a concurrent projector would write into a model
while it is being replaced). The rebuilt model is compared with the live one it replaced and
with a fresh fold of the log up to the same cut-off.

Progress goes to an optional ``on_progress(stage, done, total)`` callback (``total`` None when
unknown): called with ``done=0`` as each stage starts and again as it advances.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from acme_base.errors import InvalidInput
from processor.domain.events import LedgerEvent
from processor.storage.ports import EventReader
from projections.items import (
    BALANCE,
    DAILY,
    DECLINED,
    balance_item,
    daily_item,
    declined_item,
    key_of,
)
from projections.model import Snapshot, fold_all, fold_balances, fold_daily_sharded, fold_declined
from projections.ports import ViewStore
from projections.reconcile import Mismatch, compare

NAMES = {
    "balances": (BALANCE,),
    "balance": (BALANCE,),
    "daily": (DAILY,),
    "daily_totals": (DAILY,),
    "declined": (DECLINED,),
    "declined_index": (DECLINED,),
    "all": (BALANCE, DAILY, DECLINED),
}
BATCH = 25  # items per bulk write (BatchWriteItem's limit), and per progress step

#: ``on_progress(stage, done, total)``
OnProgress = Callable[[str, int, int | None], None]


def models_of(name: str) -> tuple[str, ...]:
    try:
        return NAMES[name]
    except KeyError as exc:
        raise InvalidInput(
            f"unknown projection {name!r}: use balances, daily, declined or all"
        ) from exc


@dataclass
class RebuildResult:
    name: str
    events_replayed: int = 0
    items_deleted: int = 0
    items_written: int = 0
    differences_from_live: list[Mismatch] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)  # rebuilt vs a fresh fold

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def as_dict(self) -> dict[str, Any]:
        return {
            "projection": self.name,
            "ok": self.ok,
            "events_replayed": self.events_replayed,
            "items_deleted": self.items_deleted,
            "items_written": self.items_written,
            "equal_to_live": not self.differences_from_live,
            "differences_from_live": [m.as_dict() for m in self.differences_from_live],
            "equal_to_fold": self.ok,
            "mismatches": [m.as_dict() for m in self.mismatches],
        }


def _quiet(stage: str, done: int, total: int | None) -> None:
    """The default ``on_progress``: report nothing."""


def _counted(
    events: Iterable[LedgerEvent], stage: str, report: OnProgress
) -> Iterator[LedgerEvent]:
    report(stage, 0, None)
    for done, event in enumerate(events, start=1):
        report(stage, done, None)
        yield event


def _items(models: tuple[str, ...], events: list[LedgerEvent]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if BALANCE in models:
        items += [balance_item(v) for v in fold_balances(events).values()]
    if DAILY in models:
        items += [daily_item(d, s, t, c) for (d, c, s), t in fold_daily_sharded(events).items()]
    if DECLINED in models:
        items += [declined_item(e) for e in fold_declined(events).values()]
    return items


def _in_batches(
    write: Callable[[list[Any]], int], rows: list[Any], stage: str, report: OnProgress
) -> int:
    """``write`` every row, ``BATCH`` at a time, reporting progress; how many were written."""
    report(stage, 0, len(rows))
    count = 0
    for start in range(0, len(rows), BATCH):
        count += write(rows[start : start + BATCH])
        report(stage, min(start + BATCH, len(rows)), len(rows))
    return count


def plan_rebuild(events: EventReader, views: ViewStore, name: str) -> dict[str, object]:
    """What ``rebuild_projection`` would do (``--dry-run``): the read models, the events it
    would replay and the items it would drop. Reads only."""
    models = models_of(name)
    live = views.snapshot()
    cutoff = None if len(models) == 3 else {a: v.applied_seq for a, v in live.balances.items()}
    replay = sum(
        1 for e in events.all_events() if cutoff is None or e.seq <= cutoff.get(e.account_id, -1)
    )
    drop = sum(1 for i in views.scan() if i.get("entity") in models)
    return {"projection": name, "models": list(models), "events_to_replay": replay,
            "items_to_drop": drop, "dry_run": True}  # fmt: skip


def rebuild_projection(
    events: EventReader, views: ViewStore, name: str, on_progress: OnProgress | None = None
) -> RebuildResult:
    """Drop the read model(s) ``name``, replay them from ``events``, compare (see above)."""
    models = models_of(name)
    report = on_progress or _quiet
    result = RebuildResult(name)
    live = views.snapshot()
    cutoff = None if len(models) == 3 else {a: v.applied_seq for a, v in live.balances.items()}
    replayed = [
        e
        for e in _counted(events.all_events(), "replaying the event log: events", report)
        if cutoff is None or e.seq <= cutoff.get(e.account_id, -1)
    ]
    result.events_replayed = len(replayed)
    doomed = [key_of(i) for i in views.scan() if i.get("entity") in models]
    result.items_deleted = _in_batches(views.delete_all, doomed, f"dropping {name}: items", report)
    items = _items(models, replayed)
    result.items_written = _in_batches(views.put_all, items, f"writing {name}: items", report)
    rebuilt = views.snapshot()
    result.differences_from_live = compare(live, rebuilt, models).mismatches
    expected: Snapshot = fold_all(replayed)
    result.mismatches = compare(expected, rebuilt, models).mismatches
    return result
