"""Budgets on the in-memory twins, driven by hypothesis: expenses (repeated ids included) in
two categories and months, with redelivery of the stream in between. Spend totals equal the
fold of the approved debits; one notification per threshold crossing (alert, exceeded), never
more under redelivery; the ledger account's balance is minus the spend."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from apps.budgets.model import expense_account

BUDGETS = {("food", "2030-01"): (5000, 80), ("fun", "2030-01"): (3000, 100)}
expenses = st.lists(
    st.tuples(
        st.integers(0, 12),  # expense id (repeats: duplicates)
        st.sampled_from(["food", "fun"]),
        st.sampled_from(["2030-01-05", "2030-01-20", "2030-02-03"]),
        st.integers(1, 4000),  # cents
        st.booleans(),  # deliver the log to the projector afterwards (again)
    ),
    max_size=25,
)


#: the ledger's "now": after every expense day (an expense may not be dated in the future)
LATER = datetime(2030, 3, 1, tzinfo=UTC)


def fresh() -> App:
    app = bootstrap(Settings(table_prefix="memory"), memory=True)
    app.ledger.clock = lambda: LATER  # the expenses' days are in the ledger's past
    for (category, month), (cents, pct) in BUDGETS.items():
        raw = {"type": "set_budget", "user_id": "u1", "category": category, "month": month,
               "amount": f"{cents / 100:.2f}", "threshold_pct": pct}  # fmt: skip
        assert app.budgets.submit(raw)["status"] == "set"  # type: ignore[index]
    return app


@given(expenses, st.booleans())
def test_given_any_expenses_and_redelivery_then_spend_and_notifications_are_the_folds(
    steps: list[tuple[int, str, str, int, bool]], sync: bool
) -> None:
    # GIVEN budgets WHEN expenses come (first payload per id wins), folded after each one
    # (sync) or by the stream consumer in batches, some redelivered
    app = fresh()
    app.budgets.sync_projection = sync
    first: dict[int, tuple[str, str, int]] = {}
    for eid, category, day, cents, redeliver in steps:
        raw: dict[str, Any] = {"type": "expense", "expense_id": f"e{eid}", "user_id": "u1",
                               "amount": f"{cents / 100:.2f}", "category": category,
                               "description": "x", "date": day}  # fmt: skip
        outcome = app.budgets.submit(raw)
        want = "approved" if eid not in first else (
            "duplicate" if first[eid] == (category, day, cents) else "rejected")  # fmt: skip
        assert outcome.status == want, (raw, outcome)  # type: ignore[union-attr]
        first.setdefault(eid, (category, day, cents))
        if redeliver:
            app.spend_projector.project(list(app.event_store.events(expense_account("u1"))))
    app.apps_sink()(list(app.event_store.events(expense_account("u1"))))
    # THEN spend per (category, month) is the fold of the approved expenses
    totals: dict[tuple[str, str], int] = {}
    for category, day, cents in first.values():
        totals[(category, day[:7])] = totals.get((category, day[:7]), 0) + cents
    for category in ("food", "fun"):
        for month in ("2030-01", "2030-02"):
            spent = app.budget_store.spend("u1", category, month)
            assert spent == totals.get((category, month), 0)
    # AND each level crossed is notified exactly once
    notes = app.budgets.notifications("u1")
    want_notes = set()
    for (category, month), (cents, pct) in BUDGETS.items():
        spent = totals.get((category, month), 0)
        if spent * 100 >= cents * pct:
            want_notes.add(f"{category}#{month}#alert")
        if spent >= cents:
            want_notes.add(f"{category}#{month}#exceeded")
    ids = [n["notification_id"] for n in notes]
    assert sorted(ids) == sorted(want_notes)
    # AND the ledger account holds minus the spend
    state = app.event_store.state(expense_account("u1"))
    assert state is None or state.balance == -sum(totals.values())
