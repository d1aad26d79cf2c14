"""Pure planning of one delivered batch: dedupe, group per account, find the contiguous run
after the guard (healing gaps from the truth), and cut it into transaction-sized chunks with
the daily totals coalesced per (date, currency, shard) and one declined entry per declined event.

The projector (``projector.py``) only performs the writes this module plans.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from processor.domain.events import NON_MONEY_KINDS, LedgerEvent
from projections.model import DailyTotals, DeclinedEntry, ShardKey, shard_key

MAX_TRANSACTION_ITEMS = 100  # DynamoDB's TransactWriteItems limit

Fetch = Callable[[int, int], Sequence[LedgerEvent]]


class GapNotHealable(Exception):
    """The event table does not hold the events needed to close a gap."""


@dataclass(frozen=True)
class AccountBatch:
    account_id: str
    events: tuple[LedgerEvent, ...]  # distinct seqs, ascending
    repeats: int  # records of this account delivered more than once within the batch


def split_batch(events: Iterable[LedgerEvent]) -> list[AccountBatch]:
    """Group a batch per account, dropping in-batch duplicates, each account in seq order."""
    per_account: dict[str, dict[int, LedgerEvent]] = defaultdict(dict)
    delivered: dict[str, int] = defaultdict(int)
    for event in events:
        per_account[event.account_id][event.seq] = event
        delivered[event.account_id] += 1
    return [
        AccountBatch(
            account, tuple(by_seq[s] for s in sorted(by_seq)), delivered[account] - len(by_seq)
        )
        for account, by_seq in per_account.items()
    ]


@dataclass(frozen=True)
class Run:
    """What to apply on one account after ``after_seq`` (contiguous), and what was skipped."""

    after_seq: int
    events: tuple[LedgerEvent, ...]
    skipped: int  # batch events at or below the guard: already applied
    healed: int  # events read from the event table to close a gap


def plan_run(applied_seq: int, batch: Sequence[LedgerEvent], fetch: Fetch) -> Run:
    """The contiguous run ``applied_seq+1 .. max(batch)``; holes are filled by ``fetch(lo, hi)``.

    ``batch`` holds distinct seqs in ascending order; ``applied_seq`` is -1 for an account
    without a balance item yet.
    """
    fresh = [e for e in batch if e.seq > applied_seq]
    skipped = len(batch) - len(fresh)
    if not fresh:
        return Run(applied_seq, (), skipped, 0)
    top = fresh[-1].seq
    if len(fresh) == top - applied_seq:  # already contiguous from the guard
        return Run(applied_seq, tuple(fresh), skipped, 0)
    fetched = list(fetch(applied_seq + 1, top))
    if [e.seq for e in fetched] != list(range(applied_seq + 1, top + 1)):
        raise GapNotHealable(
            f"{batch[0].account_id}: seqs {applied_seq + 1}..{top} not all in the event table"
        )
    return Run(applied_seq, tuple(fetched), skipped, len(fetched) - len(fresh))


@dataclass
class Chunk:
    """One transaction: the balance guard/update, coalesced daily ADDs, declined puts."""

    account_id: str
    after_seq: int
    events: list[LedgerEvent] = field(default_factory=list)
    daily: dict[ShardKey, DailyTotals] = field(default_factory=dict)
    declined: list[DeclinedEntry] = field(default_factory=list)

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq

    @property
    def balance(self) -> int:
        return self.events[-1].balance_after

    @property
    def currency(self) -> str:
        return self.events[-1].currency

    @property
    def items(self) -> int:
        return 1 + len(self.daily) + len(self.declined)

    def add(self, event: LedgerEvent, key: ShardKey | None = None) -> None:
        """Add ``event`` (``key``: its ``shard_key`` if the caller has it already)."""
        self.events.append(event)
        delta = DailyTotals.of(event)
        if not delta.empty:
            key = key or shard_key(event)
            before = self.daily.get(key)
            self.daily[key] = delta if before is None else before + delta
        if not event.approved:
            self.declined.append(DeclinedEntry.of(event))

    def cost_of(self, event: LedgerEvent, key: ShardKey | None = None) -> int:
        """Items the chunk would hold with ``event`` added."""
        new_daily = (
            event.kind not in NON_MONEY_KINDS and (key or shard_key(event)) not in self.daily
        )
        return self.items + int(new_daily) + int(not event.approved)


def chunk_run(
    account_id: str, run: Run, coalesce: bool = True, max_items: int = MAX_TRANSACTION_ITEMS
) -> list[Chunk]:
    """Cut a run into chunks of at most ``max_items`` items (one event per chunk if not
    ``coalesce``). Each chunk is guarded on the previous chunk's last seq."""
    chunks: list[Chunk] = []
    current = Chunk(account_id, run.after_seq)
    for event in run.events:
        key = None if event.kind in NON_MONEY_KINDS else shard_key(event)  # once per event
        if current.events and (not coalesce or current.cost_of(event, key) > max_items):
            chunks.append(current)
            current = Chunk(account_id, current.last_seq)
        current.add(event, key)
    if current.events:
        chunks.append(current)
    return chunks
