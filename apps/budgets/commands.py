"""The budget commands (seed 001): an expense, a budget. Pydantic, ``extra="forbid"``: amounts
are USD decimal strings (no floats), dates ISO, categories ids (never holding ``#``)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal, cast

from pydantic import Field, StringConstraints, field_validator

from acme_base.errors import InvalidInput
from apps.common import explain_as
from processor.domain.commands import Command, Id, Note
from processor.domain.money import parse_amount
from processor.domain.registry import CommandType, Registry

MONTH = re.compile(r"(19[7-9][0-9]|20[0-9][0-9])-(0[1-9]|1[0-2])")
Url = Annotated[str, StringConstraints(pattern=r"^https?://[!-~]{1,490}$")]


def _amount(value: Any) -> Any:
    parse_amount(value, "USD")  # InvalidInput: not a positive USD amount
    return value


class AddExpense(Command):
    type: Literal["expense"]
    expense_id: Id
    user_id: Id
    amount: Any
    category: Id
    description: Note
    date: date
    receipt_url: Url | None = None

    _check_amount = field_validator("amount", mode="before")(_amount)

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError(f"date {value!r} is not YYYY-MM-DD (e.g. 2026-12-06)")
        parsed = date.fromisoformat(value)
        if not 1970 <= parsed.year < 2100:
            raise ValueError("date must be within 1970..2099")
        return parsed


class SetBudget(Command):
    type: Literal["set_budget"]
    user_id: Id
    category: Id
    month: str
    amount: Any
    threshold_pct: Annotated[int, Field(strict=True, ge=1, le=100)] = 80

    _check_amount = field_validator("amount", mode="before")(_amount)

    @field_validator("month", mode="before")
    @classmethod
    def _iso_month(cls, value: Any) -> Any:
        if not isinstance(value, str) or not MONTH.fullmatch(value):
            raise ValueError(f"month {value!r} is not YYYY-MM (e.g. 2026-12), 1970..2099")
        return value


BudgetCommand = AddExpense | SetBudget
#: the budgets app's command types (``processor.domain.registry``)
BUDGET_COMMANDS = (
    CommandType("expense", AddExpense, "budgets", "record an expense (a ledger debit)"),
    CommandType("set_budget", SetBudget, "budgets", "set a month's budget for a category"),
)
BUDGETS = Registry(BUDGET_COMMANDS, what="budget command", explain=explain_as("budget command"))


def parse_budget_command(raw: Any) -> BudgetCommand:
    """A budget command from a dict (``InvalidInput`` naming the bad fields)."""
    if not isinstance(raw, dict):
        raise InvalidInput("a budget command is a JSON object")
    return cast(BudgetCommand, BUDGETS.decode(raw))
