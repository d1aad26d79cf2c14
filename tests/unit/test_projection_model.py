"""Pure folds of the read models: order- and duplicate-insensitive, and right by hand."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from processor.domain.decide import fold
from processor.domain.events import LedgerEvent
from projections.model import (
    DailyTotals,
    fold_all,
    fold_balances,
    fold_daily,
    fold_daily_sharded,
    fold_declined,
    sum_shards,
)
from projections.reconcile import compare
from tests.projection_logs import build_log, logs


@given(logs, st.randoms(use_true_random=False))
def test_folds_ignore_order_and_duplicates(log: list[LedgerEvent], rng: random.Random) -> None:
    # GIVEN a valid log, and the same log shuffled with repeats
    messy = log + [e for e in log if rng.random() < 0.5]
    rng.shuffle(messy)
    # WHEN both are folded THEN every read model is the same
    assert fold_all(messy) == fold_all(log)
    assert compare(fold_all(log), fold_all(messy)).ok


@given(logs)
def test_balance_fold_agrees_with_the_ledger_fold(log: list[LedgerEvent]) -> None:
    # GIVEN a log WHEN balances are folded THEN they match the write side's own fold
    views = fold_balances(log)
    for account, view in views.items():
        state = fold(sorted((e for e in log if e.account_id == account), key=lambda e: e.seq))
        assert state is not None
        assert (view.balance, view.applied_seq) == (state.balance, state.seq)


@given(logs)
def test_daily_totals_count_every_event_but_open(log: list[LedgerEvent]) -> None:
    daily = fold_daily(log)
    total = sum(daily.values(), DailyTotals())
    movements = [e for e in log if e.kind != "open"]
    assert total.txn_count == len(movements)
    assert total.approved_count + total.declined_count == total.txn_count
    assert total.declined_total == sum(e.amount for e in movements if not e.approved)
    assert total.credit_total - total.debit_total == sum(
        v.balance for v in fold_balances(log).values()
    )
    assert sum_shards(fold_daily_sharded(log)) == daily
    assert all(not t.empty for t in daily.values())


@given(logs)
def test_declined_index_holds_exactly_the_declined_events(log: list[LedgerEvent]) -> None:
    declined = fold_declined(log)
    assert set(declined) == {(e.account_id, e.seq) for e in log if not e.approved}
    assert all(entry.reason == "low_balance" for entry in declined.values())


def test_daily_totals_by_hand() -> None:
    # GIVEN credit 10.00, debit 3.00, declined debit 50.00, transfer out 2.00 and in 1.00
    log = build_log(
        {
            "A1": [
                ("credit", 1000, 0, 1),
                ("debit", 300, 0, 2),
                ("debit", 5000, 0, 3),
                ("transfer_out", 200, 0, 4),
                ("transfer_in", 100, 1, 5),
            ]
        }
    )
    # WHEN folded
    daily = fold_daily(log)
    # THEN the open event does not count, transfers count on their own side
    assert daily[("2026-11-20", "USD")] == DailyTotals(
        txn_count=4,
        approved_count=3,
        declined_count=1,
        credit_total=1000,
        debit_total=500,
        declined_total=5000,
    )
    assert daily[("2026-11-21", "USD")] == DailyTotals(1, 1, 0, 100, 0, 0)
    assert "2026-11-19" not in daily  # only the open event that day
    assert fold_balances(log)["A1"].balance == 600
    [entry] = fold_declined(log).values()
    assert (entry.txn_id, entry.amount, entry.txn_date) == ("T-A1-3", 5000, "2026-11-20")


def test_compare_lists_every_difference() -> None:
    log = build_log({"A1": [("credit", 1000, 0, 1), ("debit", 5000, 0, 3)]})
    truth = fold_all(log)
    tampered = fold_all(log[:-1])  # the declined debit never projected
    result = compare(truth, tampered)
    assert not result.ok
    found = {(m.model, m.field) for m in result.mismatches}
    assert ("balance", "applied_seq") in found
    assert ("daily", "declined_total") in found
    assert ("declined", "presence") in found
