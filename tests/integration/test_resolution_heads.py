"""A pending placed through one ledger (one process, one head cache) is resolved through
another whose cached heads predate it: the resolution is judged on the store's heads, not on
the stale cache (a post is not ``rejected`` as "not open", the sweeper does expire it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from acme_txn.bootstrap import App
from processor.services.ledger import Ledger
from tests.customer_support import register


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _two_ledgers(app: App, clock: Clock) -> tuple[Ledger, Ledger]:
    register(app.ledger, "C1")
    app.ledger.submit_raw({"type": "open_account", "account_id": "A", "customer_id": "C1",
                           "currency": "USD"})  # fmt: skip
    clock.now += timedelta(seconds=1)
    placing, resolving = app.new_ledger(clock=clock), app.new_ledger(clock=clock)
    # the resolving ledger caches A's head before the pending exists
    assert resolving.submit_raw({"type": "credit", "txn_id": "c1", "account_id": "A",
                                 "amount": "10.00"}).status == "approved"  # fmt: skip
    return placing, resolving


def test_given_a_pending_placed_elsewhere_when_posted_then_posted(memory_app: App) -> None:
    placing, resolving = _two_ledgers(memory_app, Clock())
    placed = placing.submit_raw(
        {"type": "debit", "txn_id": "P", "account_id": "A", "amount": "4.00", "pending": True}
    )
    assert placed.status == "pending"
    posted = resolving.submit_raw({"type": "post_pending", "txn_id": "Q", "pending_txn_id": "P"})
    assert posted.status == "posted", posted
    assert posted.balance_after == "6.00"


def test_given_a_pending_placed_elsewhere_when_it_expires_then_swept(memory_app: App) -> None:
    clock = Clock()
    placing, resolving = _two_ledgers(memory_app, clock)
    placed = placing.submit_raw(
        {"type": "debit", "txn_id": "P", "account_id": "A", "amount": "4.00", "pending": True,
         "timeout_s": 60}
    )  # fmt: skip
    assert placed.status == "pending"
    clock.now += timedelta(seconds=61)
    swept = resolving.expire_pending()
    assert [(o.status, o.account_id) for o in swept] == [("expired", "A")]
