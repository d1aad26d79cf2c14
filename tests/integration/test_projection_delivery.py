"""GIVEN a real event log on DynamoDB Local WHEN its events are delivered at least once (in
order, in long runs, by two projectors at once) THEN every read model equals the fold of the
event log and reconcile is ok.

Duplicate, reordered and gapped delivery run on both the in-memory stores and DynamoDB Local in
``tests/contract/test_view_store_contract.py``."""

from __future__ import annotations

import random
import threading
from typing import Any

from acme_base.settings import Settings
from acme_txn.bootstrap import Options, bootstrap
from processor.domain.events import LedgerEvent
from processor.services.ledger import Ledger
from processor.storage.ports import EventReader
from projections.config import ProjectorConfig
from projections.model import fold_all
from projections.ports import ViewStore
from projections.projector import Projector
from projections.reconcile import compare, reconcile
from tests.customer_support import register
from tests.projection_logs import messy_batches

DAYS = ("2026-11-20", "2026-11-21")


def make_log(
    ledger: Ledger, accounts: int = 3, commands: int = 18, seed: int = 5
) -> list[LedgerEvent]:
    """Opened accounts, funding, then credits, debits (some declined) and transfers."""
    rng = random.Random(seed)
    ids = [f"A{i}" for i in range(accounts)]
    register(ledger, "C1")
    for account in ids:
        ledger.submit_raw(
            {
                "type": "open_account",
                "occurred_at": "2000-01-01T00:00:00Z",
                "account_id": account,
                "customer_id": "C1",
            }
        )
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


def new_projector(client: Any, settings: Settings, **config: Any) -> Projector:
    """A projector process on DynamoDB Local starting from nothing but the tables."""
    options = Options(projector=ProjectorConfig(**config))
    return bootstrap(settings, options, dynamodb=client).projector


def assert_projection_is_the_fold(views: ViewStore, events: EventReader) -> None:
    diff = compare(fold_all(events.all_events()), views.snapshot())
    assert diff.ok, [m.as_dict() for m in diff.mismatches]
    assert reconcile(events, views).ok


def assert_tables_are_the_fold(client: Any, settings: Settings) -> None:
    app = bootstrap(settings, dynamodb=client)
    assert_projection_is_the_fold(app.views, app.event_store)


def test_in_order_delivery_coalesces_per_account(
    ledger: Ledger, client: Any, settings: Settings
) -> None:
    # GIVEN a log of three accounts with declines
    log = make_log(ledger)
    assert any(not e.approved for e in log)
    # WHEN it is projected as one batch
    result = new_projector(client, settings).project(log)
    # THEN one transaction per account, everything applied, and the fold
    assert result.failed == frozenset()
    assert (result.events_applied, result.duplicates_skipped, result.gaps_healed) == (
        len(log),
        0,
        0,
    )
    assert result.transactions == 3
    assert result.items_written < 2 * len(log)
    assert_tables_are_the_fold(client, settings)


def test_long_runs_are_split_into_several_guarded_transactions(
    ledger: Ledger, client: Any, settings: Settings
) -> None:
    # GIVEN a projector limited to 2 items per transaction (stands in for the 100 limit)
    log = make_log(ledger)
    projector = new_projector(client, settings, max_items=2)
    # WHEN the log is projected in two overlapping batches
    first = projector.project(log[: len(log) // 2 + 3])
    second = projector.project(log[len(log) // 2 :])
    # THEN more transactions than accounts, and still exactly the fold
    assert first.transactions > len({e.account_id for e in log[: len(log) // 2 + 3]})
    assert first.events_applied + second.events_applied == len(log)
    assert_tables_are_the_fold(client, settings)


def test_two_projectors_racing_on_the_same_events(
    ledger: Ledger, client: Any, settings: Settings
) -> None:
    # GIVEN two projectors, each fed its own scrambled at-least-once copy of the log
    log = make_log(ledger)
    feeds = [messy_batches(log, random.Random(seed), batch_size=5) for seed in (1, 2)]
    totals: list[int] = []

    def run(batches: list[list[LedgerEvent]]) -> None:
        projector = new_projector(client, settings, workers=3)  # accounts in parallel, too
        totals.append(sum(projector.project(b).events_applied for b in batches))

    # WHEN they run at the same time
    threads = [threading.Thread(target=run, args=(feed,)) for feed in feeds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # THEN between them every event was applied exactly once
    assert sum(totals) == len(log)
    assert_tables_are_the_fold(client, settings)
