"""GIVEN a real event log on DynamoDB Local WHEN its events are delivered at least once (in
order, repeated, reordered, with gaps, replayed after a crash, by two projectors at once)
THEN every read model equals the fold of the event log and reconcile is ok."""

from __future__ import annotations

import random
import threading
from typing import Any

from acme_base.settings import Settings
from processor.events import LedgerEvent
from processor.service import Ledger
from processor.store import EventStore
from projections.model import fold_all
from projections.projector import Projector
from projections.reconcile import compare, reconcile
from projections.views import ViewStore
from tests.projection_logs import messy_batches

DAYS = ("2026-11-20", "2026-11-21")


def make_log(
    ledger: Ledger, accounts: int = 3, commands: int = 18, seed: int = 5
) -> list[LedgerEvent]:
    """Opened accounts, funding, then credits, debits (some declined) and transfers."""
    rng = random.Random(seed)
    ids = [f"A{i}" for i in range(accounts)]
    for account in ids:
        ledger.submit_raw({"type": "open_account", "account_id": account, "customer_id": "C1"})
        ledger.submit_raw(
            {
                "type": "credit",
                "txn_id": f"fund-{account}",
                "account_id": account,
                "amount": "50.00",
                "occurred_at": f"{DAYS[0]}T08:00:00Z",
            }
        )
    for n in range(commands):
        at = f"{rng.choice(DAYS)}T{rng.randint(9, 22):02d}:00:00Z"
        amount = f"{rng.randint(100, 6000) / 100:.2f}"
        roll = n % 3
        if roll == 0:
            src, dst = rng.sample(ids, 2)
            cmd: dict[str, Any] = {"type": "transfer", "from_account": src, "to_account": dst}
        else:
            cmd = {"type": "debit" if roll == 1 else "credit", "account_id": rng.choice(ids)}
        ledger.submit_raw({**cmd, "txn_id": f"T{n}", "amount": amount, "occurred_at": at})
    return sorted(ledger.store.all_events(), key=lambda e: (e.account_id, e.seq))


def assert_projection_is_the_fold(client: Any, settings: Settings) -> None:
    views = ViewStore(client, settings.views_table)
    events = list(EventStore(client, settings.ledger_table).all_events())
    diff = compare(fold_all(events), views.snapshot())
    assert diff.ok, [m.as_dict() for m in diff.mismatches]
    assert reconcile(client, settings).ok


def test_in_order_delivery_coalesces_per_account(
    ledger: Ledger, client: Any, settings: Settings
) -> None:
    # GIVEN a log of three accounts with declines
    log = make_log(ledger)
    assert any(not e.approved for e in log)
    # WHEN it is projected as one batch
    result = Projector(client, settings).project(log)
    # THEN one transaction per account, everything applied, and the fold
    assert result.failed == frozenset()
    assert (result.events_applied, result.duplicates_skipped, result.gaps_healed) == (
        len(log),
        0,
        0,
    )
    assert result.transactions == 3
    assert result.items_written < 2 * len(log)
    assert_projection_is_the_fold(client, settings)


def test_duplicate_delivery_and_a_crash_before_checkpoint(
    ledger: Ledger, client: Any, settings: Settings
) -> None:
    # GIVEN a log projected once, in batches
    log = make_log(ledger)
    batches = [log[i : i + 7] for i in range(0, len(log), 7)]
    for batch in batches:
        Projector(client, settings).project(batch)
    # WHEN a restarted projector (no memory) gets every batch again, and each record twice
    again = Projector(client, settings)
    results = [again.project(batch + batch) for batch in batches]
    # THEN nothing is applied twice
    assert sum(r.events_applied for r in results) == 0
    assert sum(r.items_written for r in results) == 0
    assert sum(r.duplicates_skipped for r in results) == 2 * len(log)
    assert_projection_is_the_fold(client, settings)


def test_reordered_delivery_within_and_across_batches(
    ledger: Ledger, client: Any, settings: Settings
) -> None:
    # GIVEN the log shuffled across batches of 4, a third of it repeated
    log = make_log(ledger)
    batches = messy_batches(log, random.Random(11), batch_size=4, dup_ratio=0.33)
    projector = Projector(client, settings)
    # WHEN each batch is projected, in that scrambled order
    results = [projector.project(batch) for batch in batches]
    # THEN every event applied exactly once (early ones healed from the log)
    assert all(r.failed == frozenset() for r in results)
    assert sum(r.events_applied for r in results) == len(log)
    assert sum(r.gaps_healed for r in results) > 0
    assert_projection_is_the_fold(client, settings)


def test_a_gap_is_healed_from_the_event_table(
    ledger: Ledger, client: Any, settings: Settings
) -> None:
    # GIVEN an account whose events 1..3 were never delivered
    log = make_log(ledger)
    a0 = [e for e in log if e.account_id == "A0"]
    missing = {1, 2, 3}
    delivered = [e for e in log if not (e.account_id == "A0" and e.seq in missing)]
    # WHEN the rest is delivered
    result = Projector(client, settings).project(delivered)
    # THEN the gap is read from the event table and applied in order first
    assert result.gaps_healed == len(missing)
    assert result.events_applied == len(log)
    assert ViewStore(client, settings.views_table).balance("A0").applied_seq == a0[-1].seq  # type: ignore[union-attr]
    # AND when the missing events arrive late, they are duplicates
    late = Projector(client, settings).project([e for e in a0 if e.seq in missing])
    assert (late.events_applied, late.duplicates_skipped) == (0, len(missing))
    assert_projection_is_the_fold(client, settings)


def test_long_runs_are_split_into_several_guarded_transactions(
    ledger: Ledger, client: Any, settings: Settings
) -> None:
    # GIVEN a projector limited to 2 items per transaction (stands in for the 100 limit)
    log = make_log(ledger)
    projector = Projector(client, settings, max_items=2)
    # WHEN the log is projected in two overlapping batches
    first = projector.project(log[: len(log) // 2 + 3])
    second = projector.project(log[len(log) // 2 :])
    # THEN more transactions than accounts, and still exactly the fold
    assert first.transactions > len({e.account_id for e in log[: len(log) // 2 + 3]})
    assert first.events_applied + second.events_applied == len(log)
    assert_projection_is_the_fold(client, settings)


def test_two_projectors_racing_on_the_same_events(
    ledger: Ledger, client: Any, settings: Settings
) -> None:
    # GIVEN two projectors, each fed its own scrambled at-least-once copy of the log
    log = make_log(ledger)
    feeds = [messy_batches(log, random.Random(seed), batch_size=5) for seed in (1, 2)]
    totals: list[int] = []

    def run(batches: list[list[LedgerEvent]]) -> None:
        projector = Projector(client, settings, workers=3)  # accounts in parallel, too
        totals.append(sum(projector.project(b).events_applied for b in batches))

    # WHEN they run at the same time
    threads = [threading.Thread(target=run, args=(feed,)) for feed in feeds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # THEN between them every event was applied exactly once
    assert sum(totals) == len(log)
    assert_projection_is_the_fold(client, settings)
