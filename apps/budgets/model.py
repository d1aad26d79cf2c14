"""Budgets, the expense fold and the threshold crossings (pure, no I/O).

Money is integer cents of USD. A budget's alert threshold is a whole percentage (1..100); a
month's spend crossing it raises an ``alert`` notification, crossing 100% an ``exceeded`` one.
A notification's id is derived from what it is about (user, category, month, level), so the
consumer may see the same crossing again (redelivery, a replay) and it is stored once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from apps.common import AccountPrefix
from processor.domain.events import FundsDebited, LedgerEvent

ACCOUNT_PREFIX = "EXP-"
CURRENCY = "USD"
CATEGORY_KEY, DESCRIPTION_KEY, RECEIPT_KEY, KIND_KEY = "category", "description", "receipt", "app"
LEVELS = ("alert", "exceeded")


_ACCOUNTS = AccountPrefix(ACCOUNT_PREFIX)
#: a user's expense account, and the user of an expense account (None: not one)
expense_account = _ACCOUNTS.account
user_of_account = _ACCOUNTS.user_of


@dataclass(frozen=True)
class Budget:
    user_id: str
    category: str
    month: str  # YYYY-MM
    amount: int  # cents
    threshold_pct: int  # 1..100


@dataclass(frozen=True)
class Expense:
    """An approved expense, as the index lists it."""

    user_id: str
    expense_id: str
    amount: int
    category: str
    date: str  # YYYY-MM-DD
    description: str
    receipt_url: str | None = None


@dataclass(frozen=True)
class Notification:
    user_id: str
    category: str
    month: str
    level: str  # alert | exceeded
    spent: int
    budget: int
    at: str  # the crossing expense's time (deterministic from the log)

    @property
    def notification_id(self) -> str:
        return f"{self.category}#{self.month}#{self.level}"


@dataclass
class SpendFold:
    """A fold's result: spend added per (category, month) and the expenses met."""

    seq: int
    added: dict[tuple[str, str], int] = field(default_factory=dict)
    expenses: list[Expense] = field(default_factory=list)


def fold_expenses(user_id: str, seq: int, events: Iterable[LedgerEvent]) -> SpendFold:
    """Fold the user's expense events past ``seq`` (replays skipped, a gap refused)."""
    out = SpendFold(seq)
    for event in events:
        if event.seq <= out.seq:
            continue
        if event.seq != out.seq + 1:
            raise ValueError(f"gap in {event.account_id}: seq {event.seq} after {out.seq}")
        out.seq = event.seq
        meta = event.metadata or {}
        if not isinstance(event, FundsDebited) or CATEGORY_KEY not in meta:
            continue
        day = event.occurred_at.date().isoformat()
        key = (meta[CATEGORY_KEY], day[:7])
        out.added[key] = out.added.get(key, 0) + event.amount
        out.expenses.append(
            Expense(user_id, event.txn_id, event.amount, meta[CATEGORY_KEY], day,
                    meta.get(DESCRIPTION_KEY, ""), meta.get(RECEIPT_KEY))
        )  # fmt: skip
    return out


def crossings(budget: Budget, before: int, after: int, at: str) -> list[Notification]:
    """The levels ``before -> after`` crosses (``spent * 100 >= budget * pct``, in integers)."""
    marks = {"alert": budget.amount * budget.threshold_pct, "exceeded": budget.amount * 100}
    return [
        Notification(budget.user_id, budget.category, budget.month, level, after,
                     budget.amount, at)
        for level in LEVELS
        if before * 100 < marks[level] <= after * 100
    ]  # fmt: skip
