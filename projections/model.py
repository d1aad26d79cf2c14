"""The read models as pure folds of the event log (no I/O).

Three read models, each a function of the set of events (order and duplicates do not matter,
because every fold first keys events by ``(account_id, seq)``):

- balances: per account, the balance and the highest applied seq;
- daily totals: per ``(txn_date, currency)`` (and per write shard), counts and money totals
  in that currency's minor units (minor units of two currencies are never added); every event
  except ``open``, ``block`` and ``unblock`` counts (a declined credit too); ``transfer_in``
  is a credit, ``transfer_out`` a debit; credit and debit totals count approved events only,
  declined amounts go to ``declined_total``;
- declined index: one entry per declined event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from acme_base.keys import day_shard
from processor.domain.events import CREDIT_KINDS, NON_MONEY_KINDS, LedgerEvent, signed_amount

EventKey = tuple[str, int]
#: a day's totals in one currency: ``(txn_date, currency)``
DayKey = tuple[str, str]
#: ... on one write shard: ``(txn_date, currency, shard)``
ShardKey = tuple[str, str, int]


@dataclass(frozen=True)
class BalanceView:
    account_id: str
    balance: int  # posted
    applied_seq: int
    currency: str
    #: reserved by the open pendings after ``applied_seq`` (``processor.domain.pending``); an
    #: expired
    #: pending counts until the sweeper's ``PendingExpired`` (``balance`` reads the head)
    pending_debits: int = 0
    pending_credits: int = 0


def pending_sums(event: LedgerEvent) -> tuple[int, int]:
    """(pending debits, pending credits) of the open pendings an event carries."""
    holds = event.pendings or ()
    return (
        sum(h.amount for h in holds if h.side == "debit"),
        sum(h.amount for h in holds if h.side == "credit"),
    )


@dataclass(frozen=True)
class DailyTotals:
    txn_count: int = 0
    approved_count: int = 0
    declined_count: int = 0
    credit_total: int = 0
    debit_total: int = 0
    declined_total: int = 0

    def __add__(self, other: DailyTotals) -> DailyTotals:
        # spelled out, not a loop over DAILY_FIELDS: once per projected event (the hot path)
        return DailyTotals(
            self.txn_count + other.txn_count,
            self.approved_count + other.approved_count,
            self.declined_count + other.declined_count,
            self.credit_total + other.credit_total,
            self.debit_total + other.debit_total,
            self.declined_total + other.declined_total,
        )

    @property
    def empty(self) -> bool:
        return not (
            self.txn_count
            or self.approved_count
            or self.declined_count
            or self.credit_total
            or self.debit_total
            or self.declined_total
        )

    def as_dict(self) -> dict[str, int]:
        return {f: getattr(self, f) for f in DAILY_FIELDS}

    @classmethod
    def of(cls, event: LedgerEvent) -> DailyTotals:
        """One event's contribution (zero for ``open``, ``block``, ``unblock``: no money moves;
        a declined credit, e.g. an illegible check, counts as declined like a declined debit)."""
        if event.kind in NON_MONEY_KINDS:
            return NO_TOTALS
        if not event.approved:
            return cls(txn_count=1, declined_count=1, declined_total=event.amount)
        credit = event.kind in CREDIT_KINDS
        return cls(
            txn_count=1,
            approved_count=1,
            credit_total=event.amount if credit else 0,
            debit_total=0 if credit else event.amount,
        )


DAILY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(DailyTotals))
NO_TOTALS = DailyTotals()
MONEY_FIELDS = frozenset({"credit_total", "debit_total", "declined_total", "balance", "amount"}) | {
    "pending_debits",  # a balance view's pendings (issue 11): shown as money too
    "pending_credits",
}


@dataclass(frozen=True)
class DeclinedEntry:
    account_id: str
    seq: int
    txn_id: str
    reason: str
    amount: int
    txn_date: str
    occurred_at: str
    kind: str
    currency: str

    @classmethod
    def of(cls, event: LedgerEvent) -> DeclinedEntry:
        return cls(
            account_id=event.account_id,
            seq=event.seq,
            txn_id=event.txn_id,
            reason=str(event.decline_reason),
            amount=event.amount,
            txn_date=event.txn_date,
            occurred_at=event.occurred_at.isoformat().replace("+00:00", "Z"),
            kind=event.kind,
            currency=event.currency,
        )

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def unique(events: Iterable[LedgerEvent]) -> dict[EventKey, LedgerEvent]:
    """Events keyed by (account, seq): a redelivered event counts once."""
    return {(e.account_id, e.seq): e for e in events}


def fold_balances(events: Iterable[LedgerEvent]) -> dict[str, BalanceView]:
    """Balance = sum of signed amounts; applied_seq = highest seq (the log has no holes)."""
    views: dict[str, BalanceView] = {}
    for event in sorted(unique(events).values(), key=lambda e: (e.account_id, e.seq)):
        prev = views.get(event.account_id)
        start = event.balance_after if event.event_type == "HistoryArchived" else 0
        balance = (prev.balance if prev else start) + signed_amount(event)
        views[event.account_id] = BalanceView(
            event.account_id, balance, event.seq, event.currency, *pending_sums(event)
        )
    return views


def shard_key(event: LedgerEvent) -> ShardKey:
    """Where an event's daily totals go: its day, its account's currency, its write shard."""
    return (event.txn_date, event.currency, day_shard(event.account_id))


def fold_daily_sharded(events: Iterable[LedgerEvent]) -> dict[ShardKey, DailyTotals]:
    """Daily totals per (txn_date, currency, shard); a date with only ``open`` events has no
    entry."""
    totals: dict[ShardKey, DailyTotals] = {}
    for event in unique(events).values():
        delta = DailyTotals.of(event)
        if delta.empty:
            continue
        key = shard_key(event)
        totals[key] = totals.get(key, DailyTotals()) + delta
    return totals


def sum_shards(sharded: Mapping[ShardKey, DailyTotals]) -> dict[DayKey, DailyTotals]:
    """A day's totals per currency: the sum of its shards (currencies are never summed)."""
    out: dict[DayKey, DailyTotals] = {}
    for (date, currency, _shard), totals in sharded.items():
        out[(date, currency)] = out.get((date, currency), DailyTotals()) + totals
    return out


def fold_daily(events: Iterable[LedgerEvent]) -> dict[DayKey, DailyTotals]:
    return sum_shards(fold_daily_sharded(events))


def fold_declined(events: Iterable[LedgerEvent]) -> dict[EventKey, DeclinedEntry]:
    return {key: DeclinedEntry.of(e) for key, e in unique(events).items() if not e.approved}


@dataclass(frozen=True)
class Snapshot:
    """All three read models at once (from a fold, or read back from the views table)."""

    balances: Mapping[str, BalanceView]
    daily: Mapping[DayKey, DailyTotals]
    declined: Mapping[EventKey, DeclinedEntry]


def fold_all(events: Iterable[LedgerEvent]) -> Snapshot:
    distinct = list(unique(events).values())
    return Snapshot(fold_balances(distinct), fold_daily(distinct), fold_declined(distinct))
