"""Planted bugs in the budget application (catalogued in ``mutants.MUTATIONS``, caught by
``tests/unit/test_properties_budgets.py``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from unittest import mock

from apps.budgets import model as model_mod
from apps.budgets import projector as projector_mod


@contextlib.contextmanager
def last_expense_wins() -> Iterator[None]:
    """The spend step keeps the last expense of a (category, month) instead of the sum."""
    real = model_mod.fold_expenses

    def fold(user_id: str, seq: int, events: Any) -> Any:
        out = real(user_id, seq, events)
        out.added = {(e.category, e.date[:7]): e.amount for e in out.expenses}
        return out

    with mock.patch.object(projector_mod, "fold_expenses", fold):
        yield


@contextlib.contextmanager
def notify_whenever_over() -> Iterator[None]:
    """A notification for every expense over the threshold, not for the crossing (and keyed
    by the expense, so nothing dedupes it)."""

    def crossings(budget: Any, before: int, after: int, at: str) -> list[Any]:
        marks = {"alert": budget.amount * budget.threshold_pct, "exceeded": budget.amount * 100}
        return [
            model_mod.Notification(
                budget.user_id, f"{budget.category}@{at}", budget.month, level, after,
                budget.amount, at,
            )
            for level in model_mod.LEVELS
            if marks[level] <= after * 100
        ]  # fmt: skip

    with mock.patch.object(projector_mod, "crossings", crossings):
        yield
