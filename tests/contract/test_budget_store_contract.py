"""The budget store contract: the in-memory twin and the DynamoDB adapter alike.

``apply`` moves the cursor from the expected seq only, with the spend and expenses atomically
(a stale step writes nothing); a notification is stored once per id; expenses come back in a
date range, most recent first, optionally of one category; budgets by user and category.
"""

from __future__ import annotations

import pytest

from acme_txn.bootstrap import App
from apps.budgets.model import Budget, Expense, Notification, SpendFold
from apps.budgets.ports import BudgetStore


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> BudgetStore:
    app: App = request.getfixturevalue("memory_app" if request.param == "memory" else "app")
    return app.budget_store


def expense(eid: str, day: str, amount: int, category: str = "food") -> Expense:
    return Expense("u1", eid, amount, category, day, "d", None)


def step(seq: int, *expenses: Expense) -> SpendFold:
    fold = SpendFold(seq)
    for e in expenses:
        key = (e.category, e.date[:7])
        fold.added[key] = fold.added.get(key, 0) + e.amount
        fold.expenses.append(e)
    return fold


def test_given_steps_when_applied_in_order_then_spend_adds_up(store: BudgetStore) -> None:
    # GIVEN two steps from the start
    assert store.cursor("u1") == -1
    assert store.apply("u1", -1, step(1, expense("e1", "2030-01-02", 500)))
    assert store.apply("u1", 1, step(2, expense("e2", "2030-01-03", 250)))
    # WHEN a stale step (from -1 again, or from 1) comes
    stale = [store.apply("u1", -1, step(1, expense("e1", "2030-01-02", 500)))]
    stale.append(store.apply("u1", 1, step(2, expense("e2", "2030-01-03", 250))))
    # THEN it is refused and changes nothing
    assert stale == [False, False]
    assert (store.cursor("u1"), store.spend("u1", "food", "2030-01")) == (2, 750)
    assert store.spend("u1", "food", "2030-02") == 0


def test_given_expenses_when_ranged_then_newest_first_and_by_category(store: BudgetStore) -> None:
    # GIVEN expenses over three days in two categories
    e1, e2 = expense("e1", "2030-01-01", 1), expense("e2", "2030-01-02", 2, "fun")
    e3 = expense("e3", "2030-01-03", 3)
    assert store.apply("u1", -1, step(3, e1, e2, e3))
    # WHEN ranged THEN most recent first, bounds included, category filtered
    assert store.expenses("u1", "2030-01-01", "2030-01-03") == [e3, e2, e1]
    assert store.expenses("u1", "2030-01-02", "2030-01-03", "food") == [e3]
    assert store.expenses("u1", "2030-02-01", "2030-02-28") == []
    assert store.expenses("u2", "2030-01-01", "2030-01-31") == []


def test_given_a_notification_when_stored_twice_then_once(store: BudgetStore) -> None:
    # GIVEN an alert, and the same alert again (a redelivery), then an exceeded one
    alert = Notification("u1", "food", "2030-01", "alert", 80, 100, "2030-01-02#e1")
    again = Notification("u1", "food", "2030-01", "alert", 90, 100, "2030-01-05#e7")
    over = Notification("u1", "food", "2030-01", "exceeded", 100, 100, "2030-01-03#e2")
    # WHEN stored
    stored = [store.notify(alert), store.notify(again), store.notify(over)]
    # THEN each id once, newest first
    assert stored == [True, False, True]
    assert store.notifications("u1") == [over, alert]
    assert store.notifications("u1", 1) == [over]


def test_given_budgets_when_listed_then_by_user_and_category(store: BudgetStore) -> None:
    food1, food2 = Budget("u1", "food", "2030-01", 100, 80), Budget("u1", "food", "2030-02", 5, 50)
    fun = Budget("u1", "fun", "2030-01", 7, 100)
    for b in (fun, food2, food1, Budget("u2", "food", "2030-01", 1, 1)):
        store.put_budget(b)
    store.put_budget(Budget("u1", "fun", "2030-01", 9, 90))  # replaced
    assert store.budgets("u1") == [food1, food2, Budget("u1", "fun", "2030-01", 9, 90)]
    assert store.budgets("u1", "food") == [food1, food2]
    assert store.budget("u1", "food", "2030-02") == food2
    assert store.budget("u1", "food", "2030-03") is None
