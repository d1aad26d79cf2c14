"""The view store contract: one set of tests, every implementation of the port.

Each test runs on the in-memory twin (``MemoryViewStore``) and on the DynamoDB adapter
(``DynamoViewStore`` on DynamoDB Local), so the twin cannot drift from the real conditional
semantics: ``apply`` is guarded (the balance item absent for a new account, else at
``after_seq``), all or nothing (daily totals and declined entries move only with the guard),
and a stale guard is ``GuardMoved`` carrying the stored ``applied_seq``. Then the projector
itself, on (memory views + memory event store) and (DynamoDB views + DynamoDB event store):
duplicates skipped, gaps healed from the log, reordered delivery.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pytest

from acme_base.keys import day_shard
from processor.domain.events import LedgerEvent
from processor.services.ledger import Ledger
from processor.storage.ports import EventStore
from projections.config import ProjectorConfig
from projections.items import BALANCE, DAILY, DECLINED, balance_item, daily_item, declined_item
from projections.memory import MemoryViewStore
from projections.model import (
    DailyTotals,
    fold_all,
    fold_balances,
    fold_daily_sharded,
    fold_declined,
)
from projections.plan import Chunk, Run, chunk_run
from projections.ports import GuardConflict, GuardMoved, ViewStore
from projections.projector import Projector
from projections.reconcile import compare
from projections.views import DynamoViewStore
from tests.integration.test_projection_delivery import assert_projection_is_the_fold, make_log
from tests.projection_logs import DAYS, build_log, messy_batches

# A1: open, +100.00, declined 500.00 (day 0), -25.00 (day 1), declined 900.00, +7.00 (day 2)
# B7: open, +30.00, declined 99.99 (day 0), -10.00 (day 1); A1 and B7 on different day shards
LOG = build_log(
    {
        "A1": [
            ("credit", 10_000, 0, 9),
            ("debit", 50_000, 0, 10),
            ("debit", 2_500, 1, 11),
            ("transfer_out", 90_000, 2, 12),
            ("credit", 700, 2, 13),
        ],
        "B7": [("credit", 3_000, 0, 8), ("debit", 9_999, 0, 9), ("debit", 1_000, 1, 10)],
    }
)
A1 = [e for e in LOG if e.account_id == "A1"]
B7 = [e for e in LOG if e.account_id == "B7"]


@pytest.fixture(params=["memory", "dynamodb"])
def views(request: pytest.FixtureRequest) -> ViewStore:
    """Each implementation of the port (DynamoDB Local only started for its own runs)."""
    if request.param == "memory":
        return MemoryViewStore()
    settings = request.getfixturevalue("settings")
    return DynamoViewStore(request.getfixturevalue("client"), settings.views_table)


def chunk_of(events: Sequence[LedgerEvent], after_seq: int) -> Chunk:
    """One transaction applying ``events`` over a guard at ``after_seq``."""
    (chunk,) = chunk_run(events[0].account_id, Run(after_seq, tuple(events), 0, 0))
    return chunk


def apply_all(views: ViewStore, events: Sequence[LedgerEvent]) -> None:
    """Apply an account's events from seq 0, in one chunk."""
    views.apply(chunk_of(events, -1))


# --- the guarded write --------------------------------------------------------------------


def test_given_a_new_account_when_applied_then_its_balance_and_only_once(views: ViewStore) -> None:
    # GIVEN no balance item for A1; WHEN its first chunk is applied (guard: item absent)
    chunk = chunk_of(A1[:3], -1)
    units = views.apply(chunk)
    # THEN the balance item is at the chunk's last event, and the capacity is reported
    view = views.balance("A1")
    assert view is not None
    assert (view.balance, view.applied_seq, view.currency) == (10_000, 2, "USD")
    assert units == 2.0 * chunk.items
    # AND the same chunk again finds the guard moved, at the stored seq
    with pytest.raises(GuardMoved) as moved:
        views.apply(chunk)
    assert moved.value.applied_seq == 2


def test_given_chunks_in_order_when_applied_then_the_fold(views: ViewStore) -> None:
    # GIVEN A1's events cut into three guarded chunks; WHEN applied in order
    for first, last in ((0, 1), (2, 3), (4, 5)):
        views.apply(chunk_of(A1[first : last + 1], first - 1))
    # THEN the balance, the daily totals and the declined index are the fold of the log
    assert views.balance("A1") == fold_balances(A1)["A1"]
    assert compare(fold_all(A1), views.snapshot()).ok


@pytest.mark.parametrize(("after", "stored"), [(1, 3), (2, 3), (4, 3), (-1, 3)])
def test_given_a_stale_guard_when_applied_then_guard_moved_with_the_stored_seq(
    views: ViewStore, after: int, stored: int
) -> None:
    # GIVEN A1 applied up to seq 3
    views.apply(chunk_of(A1[:4], -1))
    # WHEN a chunk guarded on any other seq (behind, ahead, or "new account") is applied
    with pytest.raises(GuardMoved) as moved:
        views.apply(chunk_of(A1[max(after, 0) + 1 :], after))
    # THEN it is refused with the stored applied_seq
    assert moved.value.applied_seq == stored


def test_given_no_balance_item_when_a_chunk_expects_one_then_guard_moved_with_none(
    views: ViewStore,
) -> None:
    with pytest.raises(GuardMoved) as moved:
        views.apply(chunk_of(B7[2:], 1))
    assert moved.value.applied_seq is None
    assert views.balance("B7") is None


def test_given_a_refused_chunk_then_daily_totals_and_declined_entries_did_not_move(
    views: ViewStore,
) -> None:
    # GIVEN A1 fully applied, B7 not at all
    apply_all(views, A1)
    before = views.snapshot()
    # WHEN chunks carrying daily totals and declined entries are refused by the guard
    stale = chunk_of(A1[1:4], 0)
    ahead = chunk_of(B7[1:], 0)
    assert stale.daily and stale.declined and ahead.daily and ahead.declined
    for chunk in (stale, ahead):
        with pytest.raises(GuardMoved):
            views.apply(chunk)
    # THEN nothing moved: not the totals, not the declined index
    assert views.snapshot() == before
    assert list(views.declined("low_balance", DAYS[0], DAYS[-1])) == [
        e for e in fold_declined(A1).values()
    ]


def test_given_racing_writers_on_one_guard_then_exactly_one_applies(views: ViewStore) -> None:
    # GIVEN eight threads applying the same first chunk of B7 (a conflict is retried)
    outcomes: list[Any] = []

    def race() -> None:
        for _ in range(200):
            try:
                views.apply(chunk_of(B7, -1))
                outcomes.append("applied")
                return
            except GuardMoved as moved:
                outcomes.append(moved.applied_seq)
                return
            except GuardConflict:
                time.sleep(random.uniform(0, 0.01))

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # THEN one applied, seven found the guard at B7's last seq, and the totals count once
    assert sorted(outcomes, key=str) == [3] * 7 + ["applied"]
    assert compare(fold_all(B7), views.snapshot()).ok


# --- reads --------------------------------------------------------------------------------


def test_reads_of_an_empty_store(views: ViewStore) -> None:
    assert views.balance("A1") is None
    assert views.daily([DAYS[0]]) == {DAYS[0]: DailyTotals()}
    assert list(views.declined("low_balance", DAYS[0], DAYS[-1])) == []
    assert list(views.scan()) == []


def test_daily_totals_are_summed_across_shards(views: ViewStore) -> None:
    # GIVEN two accounts on different shards with transactions on the same days
    assert day_shard("A1") != day_shard("B7")
    apply_all(views, A1)
    apply_all(views, B7)
    # WHEN the days are read THEN each is the sum of its shards (a day without items: zero)
    expected = {d: t for (d, _usd), t in fold_all(LOG).daily.items()}  # a USD-only log
    got = views.daily([*DAYS, "2026-12-31"])
    assert got == {**expected, "2026-12-31": DailyTotals()}
    assert got[DAYS[0]].txn_count == 4
    assert views.snapshot().daily == fold_all(LOG).daily


def test_declined_range_query_per_reason(views: ViewStore) -> None:
    apply_all(views, A1)
    apply_all(views, B7)
    # WHEN the declined index is queried by reason and inclusive txn_date range
    every = list(views.declined("low_balance", DAYS[0], DAYS[-1]))
    day0 = list(views.declined("low_balance", DAYS[0], DAYS[0]))
    last = list(views.declined("low_balance", DAYS[1], DAYS[2]))
    # THEN exactly the declined events in range, in txn_date order
    assert sorted((e.account_id, e.seq) for e in every) == [("A1", 2), ("A1", 4), ("B7", 2)]
    assert [e.txn_date for e in every] == sorted(e.txn_date for e in every)
    assert sorted((e.account_id, e.seq) for e in day0) == [("A1", 2), ("B7", 2)]
    assert [(e.account_id, e.seq, e.amount, e.kind) for e in last] == [
        ("A1", 4, 90_000, "transfer_out")
    ]
    assert set(every) == set(fold_declined(LOG).values())
    assert list(views.declined("fraud", DAYS[0], DAYS[-1])) == []


def test_scan_returns_plain_items_of_one_model(views: ViewStore) -> None:
    apply_all(views, A1)
    items = list(views.scan())
    assert {i["entity"] for i in items} == {BALANCE, DAILY, DECLINED}
    balances = list(views.scan(BALANCE))
    assert [(b["PK"], b["SK"], int(b["applied_seq"])) for b in balances] == [
        ("ACCT#A1", "BALANCE", 5)
    ]
    assert len(list(views.scan(DECLINED))) == 2


def test_put_all_and_delete_all(views: ViewStore) -> None:
    # GIVEN the fold's items written in bulk (more than one batch of 25)
    many = build_log({f"N{i}": [("credit", 100, i % 3, 9)] for i in range(20)})
    events = [*LOG, *many]
    items = [
        *(balance_item(v) for v in fold_balances(events).values()),
        *(daily_item(d, s, t, c) for (d, c, s), t in fold_daily_sharded(events).items()),
        *(declined_item(e) for e in fold_declined(events).values()),
    ]
    assert len(items) > 25
    assert views.put_all(items) == len(items)
    # THEN the store holds exactly the fold
    assert compare(fold_all(events), views.snapshot()).ok
    # WHEN one model's keys are deleted (and a key that does not exist)
    keys = [{"PK": i["PK"], "SK": i["SK"]} for i in views.scan(DAILY)]
    assert views.delete_all([*keys, {"PK": "DAY#1999-01-01#0", "SK": "TOTALS"}]) == len(keys) + 1
    # THEN that model is gone and the others stay; a put replaces an item with its key
    assert list(views.scan(DAILY)) == [] and views.daily([DAYS[0]])[DAYS[0]] == DailyTotals()
    assert views.snapshot().balances == fold_balances(events)
    assert views.put_all([{**balance_item(fold_balances(A1)["A1"]), "balance": 1}]) == 1
    assert views.balance("A1").balance == 1  # type: ignore[union-attr]


# --- the projector on both --------------------------------------------------------------


@dataclass
class Side:
    """A ledger, its event store and a view store, all in memory or all on DynamoDB."""

    ledger: Ledger
    events: EventStore
    views: ViewStore

    def projector(self, **config: Any) -> Projector:
        """A projector process starting from nothing but the stores."""
        return Projector(self.views, self.events, ProjectorConfig(**config))


@pytest.fixture(params=["memory", "dynamodb"])
def side(request: pytest.FixtureRequest) -> Side:
    """The parts the composition root builds: in-memory twins, or on DynamoDB Local."""
    app = request.getfixturevalue("memory_app" if request.param == "memory" else "app")
    return Side(app.ledger, app.event_store, app.views)


def test_duplicate_delivery_and_a_crash_before_checkpoint(side: Side) -> None:
    # GIVEN a log projected once, in batches
    log = make_log(side.ledger)
    batches = [log[i : i + 7] for i in range(0, len(log), 7)]
    for batch in batches:
        side.projector().project(batch)
    # WHEN a restarted projector (no memory) gets every batch again, and each record twice
    again = side.projector()
    results = [again.project(batch + batch) for batch in batches]
    # THEN nothing is applied twice
    assert sum(r.events_applied for r in results) == 0
    assert sum(r.items_written for r in results) == 0
    assert sum(r.duplicates_skipped for r in results) == 2 * len(log)
    assert_projection_is_the_fold(side.views, side.events)


def test_reordered_delivery_within_and_across_batches(side: Side) -> None:
    # GIVEN the log shuffled across batches of 4, a third of it repeated
    log = make_log(side.ledger)
    batches = messy_batches(log, random.Random(11), batch_size=4, dup_ratio=0.33)
    projector = side.projector()
    # WHEN each batch is projected, in that scrambled order
    results = [projector.project(batch) for batch in batches]
    # THEN every event applied exactly once (early ones healed from the log)
    assert all(r.failed == frozenset() for r in results)
    assert sum(r.events_applied for r in results) == len(log)
    assert sum(r.gaps_healed for r in results) > 0
    assert_projection_is_the_fold(side.views, side.events)


def test_a_gap_is_healed_from_the_event_table(side: Side) -> None:
    # GIVEN an account whose events 1..3 were never delivered
    log = make_log(side.ledger)
    a0 = [e for e in log if e.account_id == "A0"]
    missing = {1, 2, 3}
    delivered = [e for e in log if not (e.account_id == "A0" and e.seq in missing)]
    # WHEN the rest is delivered
    result = side.projector().project(delivered)
    # THEN the gap is read from the event table and applied in order first
    assert result.gaps_healed == len(missing)
    assert result.events_applied == len(log)
    assert side.views.balance("A0").applied_seq == a0[-1].seq  # type: ignore[union-attr]
    # AND when the missing events arrive late, they are duplicates
    late = side.projector().project([e for e in a0 if e.seq in missing])
    assert (late.events_applied, late.duplicates_skipped) == (0, len(missing))
    assert_projection_is_the_fold(side.views, side.events)


# --- daily totals per currency (issue 11 item 4) ------------------------------------------


def in_currency(events: Sequence[LedgerEvent], currency: str) -> list[LedgerEvent]:
    """The same account history, kept in another currency (minor units unchanged)."""
    return [replace(e, currency=currency) for e in events]


def test_given_accounts_in_three_currencies_when_read_then_each_currency_has_its_own_totals(
    views: ViewStore,
) -> None:
    # GIVEN A1 in USD, B7 in EUR and J1 in JPY, with transactions on the same days
    jpy = build_log({"J1": [("credit", 500, 0, 9), ("debit", 9_999, 0, 10)]})
    apply_all(views, A1)
    apply_all(views, in_currency(B7, "EUR"))
    apply_all(views, in_currency(jpy, "JPY"))
    log = [*A1, *in_currency(B7, "EUR"), *in_currency(jpy, "JPY")]
    # WHEN every currency of the days is read
    got = views.daily_by_currency([*DAYS, "2026-12-31"])
    # THEN each (day, currency) is the fold of that currency's events alone, never a mix
    want: dict[str, dict[str, DailyTotals]] = {d: {} for d in [*DAYS, "2026-12-31"]}
    for (day, code), totals in fold_all(log).daily.items():
        want[day][code] = totals
    assert got == want
    assert set(got[DAYS[0]]) == {"USD", "EUR", "JPY"}
    assert got[DAYS[0]]["JPY"].credit_total == 500
    # AND one currency alone reads as before, and the snapshot keys (day, currency)
    assert views.daily(DAYS, "EUR") == {d: want[d].get("EUR", DailyTotals()) for d in DAYS}
    assert views.daily(DAYS) == {d: want[d].get("USD", DailyTotals()) for d in DAYS}
    assert views.snapshot().daily == fold_all(log).daily


def test_given_a_daily_item_written_before_currencies_then_it_reads_as_usd(
    views: ViewStore,
) -> None:
    # GIVEN a USD item in the single-currency layout (SK TOTALS, no currency attribute)
    item = daily_item(DAYS[0], 3, DailyTotals(txn_count=1, approved_count=1, credit_total=5))
    assert item["SK"] == "TOTALS"
    del item["currency"]
    views.put_all([item])
    # WHEN read THEN it is USD, by every read
    assert views.daily([DAYS[0]])[DAYS[0]].credit_total == 5
    assert views.daily_by_currency([DAYS[0]]) == {DAYS[0]: {"USD": DailyTotals(1, 1, 0, 5)}}
    assert views.snapshot().daily == {(DAYS[0], "USD"): DailyTotals(1, 1, 0, 5)}
    # AND another currency's item lives beside it in the same partition
    eur = daily_item(DAYS[0], 3, DailyTotals(txn_count=1, declined_count=1), "EUR")
    assert (eur["PK"], eur["SK"]) == (item["PK"], "TOTALS#EUR")
