"""A pending placed through one ledger (one process, one head cache) is resolved through
another whose cached heads predate it: the resolution is judged on the store's heads, not on
the stale cache (a post is not ``rejected`` as "not open", the sweeper does expire it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
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


#: one step: (ledger index, what, amount in cents or the pending's index)
Step = tuple[int, str, int]
steps = st.lists(
    st.tuples(
        st.integers(0, 2), st.sampled_from(["credit", "place", "post", "void"]), st.integers(1, 500)
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(steps)
def test_given_any_ledgers_then_an_open_pending_resolves_and_a_settled_one_is_refused(
    plan: list[Step],
) -> None:
    """Three ledgers (three processes) share one store; placements, credits and resolutions
    go through any of them: a resolution of an open pending always settles it, whichever
    ledger placed it; one of a settled pending is always ``rejected``."""
    app = bootstrap(Settings(table_prefix="memory"), memory=True)
    register(app.ledger, "C1")
    for account in ("A", "B"):
        app.ledger.submit_raw({"type": "open_account", "account_id": account,
                               "customer_id": "C1", "currency": "USD"})  # fmt: skip
    ledgers = [app.new_ledger() for _ in range(3)]
    placed: list[str] = []
    open_: set[str] = set()
    for i, (k, what, n) in enumerate(plan):
        ledger = ledgers[k]
        if what == "credit":
            raw: dict[str, Any] = {"type": "credit", "txn_id": f"c{i}",
                                   "account_id": "AB"[n % 2],
                                   "amount": f"{n // 100}.{n % 100:02d}"}  # fmt: skip
            assert ledger.submit_raw(raw).status == "approved"
        elif what == "place":
            raw = {"type": "credit", "txn_id": f"p{i}", "account_id": "AB"[n % 2],
                   "amount": f"{n // 100}.{n % 100:02d}", "pending": True}  # fmt: skip
            assert ledger.submit_raw(raw).status == "pending"
            placed.append(f"p{i}")
            open_.add(f"p{i}")
        elif placed:
            pending = placed[n % len(placed)]
            raw = {"type": f"{what}_pending", "txn_id": f"r{i}", "pending_txn_id": pending}
            status = ledger.submit_raw(raw).status
            assert status == ({"post": "posted", "void": "voided"}[what] if pending in open_
                              else "rejected"), (pending, status)  # fmt: skip
            open_.discard(pending)
