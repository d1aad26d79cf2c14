"""The budget application: expenses through the ledger, budgets and reads from its views.

An expense is a ``debit`` of the user's ``EXP-<user>`` account (opened on the first expense
with ``credits_must_not_exceed_debits``, so it goes negative as money is spent) whose txn id is
the ``expense_id``: a repeat is a ``duplicate``, another payload under a used id ``rejected``.
Its ``occurred_at`` is the expense's date, its category, description and receipt ride on the
event's metadata; the spend projection and the notifications follow from the log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar

from pydantic import BaseModel

from acme_base.errors import BackendError, InvalidInput
from apps.budgets.commands import (
    BUDGETS,
    AddExpense,
    BudgetCommand,
    SetBudget,
    parse_budget_command,
)
from apps.budgets.model import (
    CATEGORY_KEY,
    CURRENCY,
    DESCRIPTION_KEY,
    KIND_KEY,
    RECEIPT_KEY,
    Budget,
    expense_account,
)
from apps.budgets.ports import BudgetStore
from apps.budgets.projector import SpendProjector
from processor.domain.money import parse_amount, to_minor
from processor.domain.outcomes import Outcome, rejected
from processor.services.ledger import Ledger
from processor.storage.ports import EventStore

PROGRAM_CUSTOMER = {
    "type": "register_customer",
    "customer_id": "BUDGETS-PROGRAM",
    "name": "ACME Budget Tracker",
    "phone": "+12125550198",
    "state": "NY",
    "special_status": [],
}
#: when every expense account takes effect: the first month a budget may name
EXPENSES_SINCE = "1970-01-01T00:00:00Z"


Handler = Callable[["Budgets", Any], Outcome | dict[str, Any]]


@dataclass
class Budgets:
    ledger: Ledger
    store: BudgetStore
    events: EventStore
    projector: SpendProjector
    #: a convenience, not the source of the views: fold the spend (and raise notifications)
    #: right after each expense so the CLI reads its own writes. The views come from the
    #: ``apps`` stream consumer (``acme-txn apps run``, ``lambda_handlers.apps_handler``),
    #: which folds the same log idempotently; the demo and a deployment turn this off.
    sync_projection: bool = True
    #: every budget command's class -> its method (looked up on the service when it runs),
    #: checked exhaustive over the budget types (``processor.domain.registry``)
    HANDLERS: ClassVar[Mapping[type[BaseModel], Handler]] = BUDGETS.cover(
        {
            SetBudget: lambda app, cmd: app._set_budget(cmd),
            AddExpense: lambda app, cmd: app._record_expense(cmd),
        }
    )

    def submit(self, raw: Any) -> Outcome | dict[str, Any]:
        """Run one budget command: an expense's ledger outcome, or the budget as set; bad
        input is ``rejected`` (nothing written)."""
        try:
            cmd = parse_budget_command(raw)
        except InvalidInput as exc:
            return rejected(str(exc))
        return self.execute(cmd)

    def execute(self, cmd: BudgetCommand) -> Outcome | dict[str, Any]:
        return self.HANDLERS[type(cmd)](self, cmd)

    def _record_expense(self, cmd: AddExpense) -> Outcome:
        outcome = self._expense(cmd)
        if self.sync_projection:
            self.projector.catch_up(cmd.user_id)
        return outcome

    def _set_budget(self, cmd: SetBudget) -> dict[str, Any]:
        amount = to_minor(parse_amount(cmd.amount, CURRENCY), CURRENCY)
        budget = Budget(cmd.user_id, cmd.category, cmd.month, amount, cmd.threshold_pct)
        self.store.put_budget(budget)
        return {"status": "set", **budget_row(budget)}

    def _expense(self, cmd: AddExpense) -> Outcome:
        account = expense_account(cmd.user_id)
        self._enrol(account)
        meta = {KIND_KEY: "budget", CATEGORY_KEY: cmd.category, DESCRIPTION_KEY: cmd.description}
        if cmd.receipt_url:
            meta[RECEIPT_KEY] = cmd.receipt_url
        return self.ledger.submit_raw(
            {"type": "debit", "txn_id": cmd.expense_id, "account_id": account,
             "amount": str(cmd.amount), "currency": CURRENCY, "metadata": meta,
             "occurred_at": self._occurred_at(cmd.date)}
        )  # fmt: skip

    def _occurred_at(self, day: date) -> str:
        """Noon of the expense's day; today's expense before noon: the ledger's now (the
        ledger refuses times ahead of its clock: docs/time.md)."""
        noon = datetime.combine(day, time(12), UTC)
        now = self.ledger.clock()
        when = now if day == now.date() and now < noon else noon
        return when.isoformat().replace("+00:00", "Z")

    def _enrol(self, account: str) -> None:
        """Open the user's expense account on first use (the program is its customer)."""
        if self.events.state(account) is not None:
            return
        self.ledger.submit_raw(dict(PROGRAM_CUSTOMER))  # registered, or already: either is fine
        opened = self.ledger.submit_raw(
            {"type": "open_account", "account_id": account,
             "customer_id": PROGRAM_CUSTOMER["customer_id"], "currency": CURRENCY,
             # effective from the first month a budget may name (1970): an expense recorded
             # late is never "before the account was opened"
             "occurred_at": EXPENSES_SINCE,
             "debits_must_not_exceed_credits": False, "credits_must_not_exceed_debits": True}
        )  # fmt: skip
        if opened.status != "opened" and self.events.state(account) is None:
            raise BackendError(f"could not open expense account {account}: {opened.error}")

    # --- reads ---------------------------------------------------------------------------

    def expenses(
        self, user_id: str, date_from: str, date_to: str, category: str | None = None
    ) -> list[dict[str, Any]]:
        """The seed's query: a user's expenses in a date range, most recent first."""
        if date_from > date_to:
            raise InvalidInput(f"--from {date_from} is after --to {date_to}")
        return [vars(e) for e in self.store.expenses(user_id, date_from, date_to, category)]

    def budgets(self, user_id: str, category: str | None = None) -> list[dict[str, Any]]:
        """A user's budgets (of one category), each with its month's spend."""
        return [
            {**budget_row(b), "spent": self.store.spend(user_id, b.category, b.month)}
            for b in self.store.budgets(user_id, category)
        ]

    def spend(self, user_id: str, category: str, month: str) -> dict[str, Any]:
        budget = self.store.budget(user_id, category, month)
        spent = self.store.spend(user_id, category, month)
        return {"user_id": user_id, "category": category, "month": month, "spent": spent,
                "budget": budget.amount if budget else None}  # fmt: skip

    def notifications(self, user_id: str, limit: int = 100) -> list[dict[str, Any]]:
        if not 1 <= limit <= 1000:
            raise InvalidInput("--limit must be from 1 to 1000")
        return [
            {**vars(n), "notification_id": n.notification_id}
            for n in self.store.notifications(user_id, limit)
        ]


def budget_row(budget: Budget) -> dict[str, Any]:
    return dict(vars(budget))
