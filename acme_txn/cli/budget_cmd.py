"""`acme-txn budget expense|set|list|spend|expenses|notifications`: the budget tracker.

``expense`` prints the ledger outcome line (``approved``, ``duplicate``, ``rejected`` with
``error``: exit 2); ``set`` the budget as stored; the reads one GetItem or one Query each.
Money is shown in dollars ("250.00"), never in the cents the views store.
"""

from __future__ import annotations

import argparse
from typing import Any

from acme_txn.cli.context import Context

CURRENCY = "USD"  # the budget tracker's (apps.budgets.model.CURRENCY), held equal by a test

EXIT_BAD_INPUT = 2


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    budget = sub.add_parser("budget", help="budgets: expenses, budgets, spend, notifications")
    kinds = budget.add_subparsers(dest="budget_cmd", required=True, metavar="ACTION")
    exp = kinds.add_parser("expense", parents=[common], help="record an expense (a debit)")
    exp.add_argument("user_id")
    exp.add_argument("amount", help='USD, a decimal string, e.g. "12.50"')
    exp.add_argument("category")
    exp.add_argument("description")
    exp.add_argument("--id", dest="expense_id", required=True, help="expense id (idempotency)")
    exp.add_argument("--date", required=True, help="YYYY-MM-DD")
    exp.add_argument("--receipt-url")
    exp.set_defaults(func=cmd_expense)
    put = kinds.add_parser("set", parents=[common], help="set a budget for a category and month")
    put.add_argument("user_id")
    put.add_argument("category")
    put.add_argument("month", help="YYYY-MM")
    put.add_argument("amount", help="USD, a decimal string")
    put.add_argument("--threshold", type=int, default=80, help="alert at this %% (default 80)")
    put.set_defaults(func=cmd_set)
    listing = kinds.add_parser("list", parents=[common], help="a user's budgets with spend")
    listing.add_argument("user_id")
    listing.add_argument("--category", help="only this category")
    listing.set_defaults(func=cmd_list)
    spend = kinds.add_parser("spend", parents=[common], help="spend of a category in a month")
    spend.add_argument("user_id")
    spend.add_argument("category")
    spend.add_argument("month", help="YYYY-MM")
    spend.set_defaults(func=cmd_spend)
    expenses = kinds.add_parser("expenses", parents=[common], help="expenses, newest first")
    expenses.add_argument("user_id")
    expenses.add_argument("--from", dest="date_from", default="1970-01-01")
    expenses.add_argument("--to", dest="date_to", default="2099-12-31")
    expenses.add_argument("--category")
    expenses.set_defaults(func=cmd_expenses)
    notes = kinds.add_parser("notifications", parents=[common], help="newest first")
    notes.add_argument("user_id")
    notes.add_argument("--limit", type=int, default=100)
    notes.set_defaults(func=cmd_notifications)


MONEY_FIELDS = ("amount", "spent", "budget")


def in_dollars(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its cents fields as decimal strings (``25000`` -> ``"250.00"``)."""
    from processor.domain.money import format_minor

    return {
        k: format_minor(v, CURRENCY) if k in MONEY_FIELDS and isinstance(v, int) else v
        for k, v in row.items()
    }


def outcome_line(data: dict[str, Any], detail: str) -> str:
    """``TXN  STATUS  DETAIL``, leaving out what the outcome does not have (no "None")."""
    return "  ".join(str(p) for p in (data.get("txn_id"), data["status"], detail) if p)


def _items(ctx: Context, rows: list[dict[str, Any]], fields: tuple[str, ...]) -> None:
    ctx.emit_list([in_dollars(r) for r in rows], columns=fields)


def cmd_expense(ctx: Context) -> int:
    a = ctx.args
    raw = {"type": "expense", "expense_id": a.expense_id, "user_id": a.user_id,
           "amount": a.amount, "category": a.category, "description": a.description,
           "date": a.date, "receipt_url": a.receipt_url}  # fmt: skip
    outcome = ctx.app.budgets.submit({k: v for k, v in raw.items() if v is not None})
    data = outcome if isinstance(outcome, dict) else outcome.to_json_dict()
    detail = data.get("error") or data.get("reason") or f"{a.amount} {CURRENCY} on {a.category}"
    ctx.emit(data, outcome_line(data, detail))
    return EXIT_BAD_INPUT if data["status"] == "rejected" else 0


def cmd_set(ctx: Context) -> int:
    a = ctx.args
    raw = {"type": "set_budget", "user_id": a.user_id, "category": a.category,
           "month": a.month, "amount": a.amount, "threshold_pct": a.threshold}  # fmt: skip
    result = ctx.app.budgets.submit(raw)
    data = in_dollars(result if isinstance(result, dict) else result.to_json_dict())
    detail = data.get("error") or (
        f"{a.user_id} {a.category} {a.month}: {data['amount']} {CURRENCY}, "
        f"alert at {data['threshold_pct']}%"
    )
    ctx.emit(data, outcome_line(data, detail))
    return EXIT_BAD_INPUT if data["status"] == "rejected" else 0


def cmd_list(ctx: Context) -> int:
    rows = ctx.app.budgets.budgets(ctx.args.user_id, ctx.args.category)
    _items(ctx, rows, ("category", "month", "amount", "threshold_pct", "spent"))
    return 0


def cmd_spend(ctx: Context) -> int:
    a = ctx.args
    row = in_dollars(ctx.app.budgets.spend(a.user_id, a.category, a.month))
    of = f" of {row['budget']}" if row["budget"] is not None else " (no budget set)"
    ctx.emit(row, f"{a.user_id} {a.category} {a.month}: {row['spent']} {CURRENCY}{of}")
    return 0


def cmd_expenses(ctx: Context) -> int:
    a = ctx.args
    rows = ctx.app.budgets.expenses(a.user_id, a.date_from, a.date_to, a.category)
    _items(ctx, rows, ("date", "expense_id", "category", "amount", "description"))
    return 0


def cmd_notifications(ctx: Context) -> int:
    rows = ctx.app.budgets.notifications(ctx.args.user_id, ctx.args.limit)
    _items(ctx, rows, ("at", "level", "category", "month", "spent", "budget"))
    return 0
