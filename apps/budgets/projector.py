"""The spend projection and the notification consumer: folds a user's expense-account events
into spend per category and month and the expense index, raising a notification when a
month's spend crosses its budget's alert threshold and again at 100%.

Reads the log from the stored cursor on (idempotent under redelivery; gaps heal). The
notifications of a step are stored before the step's cursor moves, each once by its id, so a
crash between the two loses none and a redo adds none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from acme_base.errors import ContentionExhausted
from apps.budgets.model import (
    Notification,
    SpendFold,
    crossings,
    expense_account,
    fold_expenses,
    user_of_account,
)
from apps.budgets.ports import BudgetStore
from processor.domain.events import LedgerEvent
from processor.storage.ports import EventReader

STEP_EVENTS = 40  # events per atomic step (a spend item and an expense item each, at most)
ATTEMPTS = 8


@dataclass
class SpendProjector:
    store: BudgetStore
    events: EventReader

    def catch_up(self, user_id: str) -> list[Notification]:
        """Fold the user's new expenses in; returns the notifications stored now."""
        raised: list[Notification] = []
        lost = 0
        while True:
            cursor = self.store.cursor(user_id)
            new = self.events.events(expense_account(user_id), from_seq=cursor + 1)
            step = fold_expenses(user_id, cursor, islice(new, STEP_EVENTS))
            if step.seq == cursor:
                return raised
            raised += [n for n in self._crossings(user_id, step) if self.store.notify(n)]
            if not self.store.apply(user_id, cursor, step):  # another projector did this step
                lost += 1
                if lost >= ATTEMPTS:
                    raise ContentionExhausted(f"spend of {user_id}: {ATTEMPTS} writers raced")

    def _crossings(self, user_id: str, step: SpendFold) -> list[Notification]:
        totals: dict[tuple[str, str], int] = {}
        notes: list[Notification] = []
        for e in step.expenses:
            key = (e.category, e.date[:7])
            if key not in totals:
                totals[key] = self.store.spend(user_id, *key)
            before, totals[key] = totals[key], totals[key] + e.amount
            budget = self.store.budget(user_id, *key)
            if budget is not None:
                notes += crossings(budget, before, totals[key], f"{e.date}#{e.expense_id}")
        return notes

    def project(self, events: Iterable[LedgerEvent]) -> list[str]:
        """The stream sink: catch up every user these events touch; returns their ids."""
        users = sorted({u for e in events if (u := user_of_account(e.account_id))})
        for user_id in users:
            self.catch_up(user_id)
        return users
