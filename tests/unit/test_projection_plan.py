"""The projector's pure planning, driven against an in-memory views table: exactly once in
effect under duplicates, reordering, gaps and replays; chunks within the 100-item limit."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processor.domain.events import LedgerEvent
from projections.model import (
    BalanceView,
    DailyTotals,
    DeclinedEntry,
    EventKey,
    Snapshot,
    fold_all,
    sum_shards,
)
from projections.plan import (
    GapNotHealable,
    Run,
    chunk_run,
    plan_run,
    split_batch,
)
from projections.reconcile import compare
from tests.projection_logs import build_log, logs, messy_batches


@dataclass
class MemoryViews:
    """What the transactions do, minus DynamoDB: the guard, the ADDs, the puts."""

    log: Sequence[LedgerEvent]
    max_items: int = 100
    coalesce: bool = True
    balances: dict[str, BalanceView] = field(default_factory=dict)
    daily: dict[tuple[str, int], DailyTotals] = field(default_factory=dict)
    declined: dict[EventKey, DeclinedEntry] = field(default_factory=dict)
    transactions: int = 0

    def fetch(self, account: str) -> object:
        def get(lo: int, hi: int) -> list[LedgerEvent]:
            return sorted(
                (e for e in self.log if e.account_id == account and lo <= e.seq <= hi),
                key=lambda e: e.seq,
            )

        return get

    def project(self, batch: Sequence[LedgerEvent]) -> None:
        for group in split_batch(batch):
            current = self.balances.get(group.account_id)
            applied = current.applied_seq if current else -1
            run = plan_run(applied, group.events, self.fetch(group.account_id))  # type: ignore[arg-type]
            for chunk in chunk_run(group.account_id, run, self.coalesce, self.max_items):
                assert chunk.items <= self.max_items
                now = self.balances.get(group.account_id)
                assert (now.applied_seq if now else -1) == chunk.after_seq  # the guard
                self.transactions += 1
                self.balances[group.account_id] = BalanceView(
                    group.account_id, chunk.balance, chunk.last_seq, chunk.currency
                )
                for key, delta in chunk.daily.items():
                    self.daily[key] = self.daily.get(key, DailyTotals()) + delta
                for entry in chunk.declined:
                    self.declined[(entry.account_id, entry.seq)] = entry

    def snapshot(self) -> Snapshot:
        return Snapshot(self.balances, sum_shards(self.daily), self.declined)


@given(
    logs,
    st.randoms(use_true_random=False),
    st.integers(1, 7),
    st.sampled_from([0.0, 0.2]),
    st.booleans(),
)
def test_any_at_least_once_delivery_projects_the_fold(
    log: list[LedgerEvent], rng: random.Random, size: int, drop: float, coalesce: bool
) -> None:
    # GIVEN a log delivered shuffled, with repeats, and (sometimes) events never delivered
    views = MemoryViews(log, coalesce=coalesce)
    batches = messy_batches(log, rng, size, dup_ratio=0.4, drop_ratio=drop)
    # WHEN every batch is projected, then the first batch replayed (a crash before checkpoint)
    for batch in [*batches, *batches[:1]]:
        views.project(batch)
    # THEN each account is projected up to its highest delivered seq, exactly once
    delivered = [e for b in batches for e in b]
    top = {
        a: max(e.seq for e in delivered if e.account_id == a)
        for a in {e.account_id for e in delivered}
    }
    expected = fold_all(e for e in log if e.seq <= top.get(e.account_id, -1))
    assert compare(expected, views.snapshot()).ok


@given(logs)
def test_coalescing_writes_one_transaction_per_account_per_batch(log: list[LedgerEvent]) -> None:
    views = MemoryViews(log)
    views.project(log)
    assert views.transactions == len({e.account_id for e in log})
    assert compare(fold_all(log), views.snapshot()).ok


def test_long_runs_are_chunked_at_the_item_limit() -> None:
    # GIVEN 150 declined debits on one account (each needs its own declined-index item)
    log = build_log({"A1": [("debit", 100, i % 3, i % 24) for i in range(150)]})
    views = MemoryViews(log, max_items=100)
    # WHEN projected in one batch
    views.project(log)
    # THEN several transactions of at most 100 items, and the fold
    assert views.transactions == 2
    assert compare(fold_all(log), views.snapshot()).ok


def test_plan_skips_duplicates_and_heals_gaps() -> None:
    log = build_log({"A1": [("credit", 100, 0, 1)] * 6})
    fetch = MemoryViews(log).fetch("A1")
    # duplicates at or below the guard are skipped
    run = plan_run(3, [log[2], log[3], log[4]], fetch)  # type: ignore[arg-type]
    assert ([e.seq for e in run.events], run.skipped, run.healed) == ([4], 2, 0)
    # a gap (guard 1, batch 4 and 6) is filled from the log
    run = plan_run(1, [log[4], log[6]], fetch)  # type: ignore[arg-type]
    assert ([e.seq for e in run.events], run.skipped, run.healed) == ([2, 3, 4, 5, 6], 0, 3)
    assert run == Run(1, tuple(log[2:7]), 0, 3)


def test_a_gap_the_log_cannot_fill_is_refused() -> None:
    log = build_log({"A1": [("credit", 100, 0, 1)] * 3})
    with pytest.raises(GapNotHealable):
        plan_run(0, [log[3]], lambda lo, hi: [])
