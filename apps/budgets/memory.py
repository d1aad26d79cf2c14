"""The in-memory twin of ``DynamoBudgetStore`` (same contract)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from apps.budgets.model import Budget, Expense, Notification, SpendFold


@dataclass
class MemoryBudgetStore:
    _budgets: dict[tuple[str, str, str], Budget] = field(default_factory=dict)
    _cursors: dict[str, int] = field(default_factory=dict)
    _spend: dict[tuple[str, str, str], int] = field(default_factory=dict)
    _expenses: dict[tuple[str, str, str], Expense] = field(default_factory=dict)
    _notes: dict[tuple[str, str], Notification] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put_budget(self, budget: Budget) -> None:
        self._budgets[(budget.user_id, budget.category, budget.month)] = budget

    def budget(self, user_id: str, category: str, month: str) -> Budget | None:
        return self._budgets.get((user_id, category, month))

    def budgets(self, user_id: str, category: str | None = None) -> list[Budget]:
        return [
            b
            for (u, c, _), b in sorted(self._budgets.items())
            if u == user_id and category in (None, c)
        ]

    def cursor(self, user_id: str) -> int:
        return self._cursors.get(user_id, -1)

    def apply(self, user_id: str, expected_seq: int, fold: SpendFold) -> bool:
        with self._lock:
            if self.cursor(user_id) != expected_seq:
                return False
            self._cursors[user_id] = fold.seq
            for (category, month), amount in fold.added.items():
                key = (user_id, category, month)
                self._spend[key] = self._spend.get(key, 0) + amount
            for e in fold.expenses:
                self._expenses[(user_id, e.date, e.expense_id)] = e
            return True

    def spend(self, user_id: str, category: str, month: str) -> int:
        return self._spend.get((user_id, category, month), 0)

    def notify(self, note: Notification) -> bool:
        with self._lock:
            key = (note.user_id, note.notification_id)
            if key in self._notes:
                return False
            self._notes[key] = note
            return True

    def notifications(self, user_id: str, limit: int = 100) -> list[Notification]:
        mine = [n for (u, _), n in self._notes.items() if u == user_id]
        return sorted(mine, key=lambda n: (n.at, n.notification_id), reverse=True)[:limit]

    def expenses(
        self, user_id: str, date_from: str, date_to: str, category: str | None = None
    ) -> list[Expense]:
        rows = [
            e
            for (u, d, _), e in sorted(self._expenses.items(), reverse=True)
            if u == user_id and date_from <= d <= date_to and category in (None, e.category)
        ]
        return rows
