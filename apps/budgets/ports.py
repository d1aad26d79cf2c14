"""The budget store port: budgets, the spend projection with its cursor, the expense index and
the notifications, all in one partition per user (``BUDGETS#<user>`` on the views table).

Two implementations honour it, held to the same behaviour by one contract suite
(``tests/contract/test_budget_store_contract.py``): ``apps.budgets.views.DynamoBudgetStore``
and the in-memory twin ``apps.budgets.memory.MemoryBudgetStore``.

``apply`` is atomic and conditional: the cursor moves from ``expected_seq`` to the fold's seq
together with the spend totals and the expense entries, or nothing is written (another
projector got there first). ``notify`` stores a notification once per id.
"""

from __future__ import annotations

from typing import Protocol

from apps.budgets.model import Budget, Expense, Notification, SpendFold

#: TransactWriteItems' limit, less the cursor
MAX_APPLY_ITEMS = 99


class BudgetStore(Protocol):
    def put_budget(self, budget: Budget) -> None:
        """Set (or replace) the budget of a user, category and month."""
        ...

    def budget(self, user_id: str, category: str, month: str) -> Budget | None: ...

    def budgets(self, user_id: str, category: str | None = None) -> list[Budget]:
        """A user's budgets (of one category), by category then month."""
        ...

    def cursor(self, user_id: str) -> int:
        """The last expense-account seq folded into the spend (-1: none)."""
        ...

    def apply(self, user_id: str, expected_seq: int, fold: SpendFold) -> bool:
        """Move the cursor ``expected_seq -> fold.seq`` with the spend and expenses, atomically;
        False (nothing written) when the cursor is elsewhere."""
        ...

    def spend(self, user_id: str, category: str, month: str) -> int: ...

    def notify(self, note: Notification) -> bool:
        """Store the notification unless one of its id exists (True: stored now)."""
        ...

    def notifications(self, user_id: str, limit: int = 100) -> list[Notification]:
        """A user's notifications, newest first."""
        ...

    def expenses(
        self, user_id: str, date_from: str, date_to: str, category: str | None = None
    ) -> list[Expense]:
        """A user's expenses with ``date_from <= date <= date_to``, most recent first."""
        ...
