"""Rebuild a read model: drop its items, replay it from the event table, compare.

Daily totals and the declined index move with the balance guard (``applied_seq``), so a
rebuild must keep the three models consistent with that guard:

- ``all``: every model is replayed from the whole event log (one scan, one snapshot);
- ``balances``, ``daily`` or ``declined`` alone: each account is replayed only up to the
  ``applied_seq`` of its live balance item (read before anything is dropped), so the rebuilt
  model covers exactly the events the live guard says were applied, and the projector carries
  on from there.

Run it with the projector stopped (`acme-txn project --rebuild` refuses while a stream consumer
holds a live shard lease, unless `--force`; a concurrent projector would write into a model while it
is being replaced). The rebuilt model is compared with the live one it replaced and with a
fresh fold of the log up to the same cut-off.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from acme_base.errors import InvalidInput
from acme_base.settings import Settings
from processor.events import LedgerEvent
from processor.store import EventStore
from projections.model import Snapshot, fold_all, fold_balances, fold_daily_sharded, fold_declined
from projections.reconcile import Mismatch, compare
from projections.views import (
    BALANCE,
    DAILY,
    DECLINED,
    ViewStore,
    balance_item,
    daily_item,
    declined_item,
)

NAMES = {
    "balances": (BALANCE,),
    "balance": (BALANCE,),
    "daily": (DAILY,),
    "daily_totals": (DAILY,),
    "declined": (DECLINED,),
    "declined_index": (DECLINED,),
    "all": (BALANCE, DAILY, DECLINED),
}


class Progress:
    """A plain text progress bar on stderr (``\\r``-redrawn on a terminal, lines otherwise)."""

    def __init__(self, label: str, total: int | None, stream: TextIO | None = None) -> None:
        self.label, self.total, self.done = label, total, 0
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = -1

    def advance(self, n: int = 1) -> None:
        self.done += n
        step = self.done * 20 // self.total if self.total else self.done // 500
        if step != self._last:
            self._last = step
            self._draw()

    def _draw(self, end: str = "") -> None:
        if self.total:
            filled = self.done * 30 // self.total
            text = f"{self.label} [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}"
        else:
            text = f"{self.label} {self.done}"
        if self.tty:
            print(f"\r{text}", end=end, file=self.stream, flush=True)
        elif end:
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        self._draw(end="\n")


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


def _counted(events: Iterable[LedgerEvent], progress: Progress) -> Iterator[LedgerEvent]:
    for event in events:
        progress.advance()
        yield event


def _items(models: tuple[str, ...], events: list[LedgerEvent]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if BALANCE in models:
        items += [balance_item(v) for v in fold_balances(events).values()]
    if DAILY in models:
        items += [daily_item(d, s, t) for (d, s), t in fold_daily_sharded(events).items()]
    if DECLINED in models:
        items += [declined_item(e) for e in fold_declined(events).values()]
    return items


def rebuild_projection(
    client: Any, settings: Settings, name: str, stream: TextIO | None = None
) -> RebuildResult:
    models = models_of(name)
    views = ViewStore(client, settings.views_table)
    store = EventStore(client, settings.ledger_table)
    result = RebuildResult(name)
    live = views.snapshot()
    cutoff = None if len(models) == 3 else {a: v.applied_seq for a, v in live.balances.items()}
    scanning = Progress("replaying the event log: events", None, stream)
    events = [
        e
        for e in _counted(store.all_events(), scanning)
        if cutoff is None or e.seq <= cutoff.get(e.account_id, -1)
    ]
    scanning.close()
    result.events_replayed = len(events)
    doomed = [{"PK": i["PK"], "SK": i["SK"]} for i in views.scan() if i.get("entity") in models]
    dropping = Progress(f"dropping {name}: items", len(doomed), stream)
    for start in range(0, len(doomed), 25):
        result.items_deleted += views.delete_all(doomed[start : start + 25])
        dropping.advance(len(doomed[start : start + 25]))
    dropping.close()
    items = _items(models, events)
    writing = Progress(f"writing {name}: items", len(items), stream)
    for start in range(0, len(items), 25):
        result.items_written += views.put_all(items[start : start + 25])
        writing.advance(len(items[start : start + 25]))
    writing.close()
    rebuilt = views.snapshot()
    result.differences_from_live = compare(live, rebuilt, models).mismatches
    expected: Snapshot = fold_all(events)
    result.mismatches = compare(expected, rebuilt, models).mismatches
    return result


def rebuild(ctx: Any, name: str) -> int:
    """``acme-txn project --rebuild NAME``: rebuild, print the comparison, exit 0 if equal.

    ``ctx`` is an ``acme_txn.cli.context.Context``.
    """
    result = rebuild_projection(ctx.dynamodb, ctx.settings, name)
    data = result.as_dict()
    lines = [
        f"rebuilt {name}: {result.events_replayed} events replayed, "
        f"{result.items_deleted} items dropped, {result.items_written} written",
        "equal to the live projection it replaced"
        if not result.differences_from_live
        else f"{len(result.differences_from_live)} differences from the live projection:",
    ]
    lines += [f"  {m.line()}" for m in result.differences_from_live]
    lines.append(
        "equal to a fresh fold of the event log"
        if result.ok
        else f"{len(result.mismatches)} MISMATCHES against the fold:"
    )
    lines += [f"  {m.line()}" for m in result.mismatches]
    ctx.emit(data, "\n".join(lines))
    return 0 if result.ok else 1
