"""`acme-txn points earn|redeem|balance|history|txn|by-order|by-tier`: the loyalty program.

EARN and REDEEM print the ledger outcome line (``approved``, ``declined`` ``low_balance``,
``duplicate``, ``rejected`` with ``error``: exit 2); the reads are one GetItem (balance, txn)
or one Query page (history, by-order, by-tier). An approved EARN also shows the points it
earned and the tier (and a tier change).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from acme_base.errors import InvalidInput
from acme_txn.cli.budget_cmd import outcome_line
from acme_txn.cli.context import Context
from acme_txn.cli.page_output import add_paging, emit_page

EXIT_BAD_INPUT = 2


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    points = sub.add_parser("points", help="loyalty points: earn, redeem, balance, history")
    kinds = points.add_subparsers(dest="points_cmd", required=True, metavar="ACTION")
    earn = kinds.add_parser("earn", parents=[common], help="points for an order (EARN)")
    earn.add_argument("user_id")
    earn.add_argument("order_id")
    earn.add_argument("amount", help='order amount, a decimal string, e.g. "59.90"')
    earn.add_argument("--txn", dest="transaction_id", required=True, help="transactionId")
    earn.add_argument("--currency", default="USD")
    earn.add_argument("--description")
    earn.set_defaults(func=cmd_earn)
    redeem = kinds.add_parser("redeem", parents=[common], help="spend points (REDEEM)")
    redeem.add_argument("user_id")
    redeem.add_argument("points", help="whole points")
    redeem.add_argument("--txn", dest="transaction_id", required=True, help="transactionId")
    redeem.add_argument("--description")
    redeem.set_defaults(func=cmd_redeem)
    balance = kinds.add_parser("balance", parents=[common], help="points and tier of a user")
    balance.add_argument("user_id")
    balance.set_defaults(func=cmd_balance)
    history = kinds.add_parser("history", parents=[common], help="a user's history, newest first")
    history.add_argument("user_id")
    add_paging(history)
    history.set_defaults(func=cmd_history)
    txn = kinds.add_parser("txn", parents=[common], help="a transaction by transactionId")
    txn.add_argument("transaction_id")
    txn.set_defaults(func=cmd_txn)
    order = kinds.add_parser("by-order", parents=[common], help="the EARNs of an order")
    order.add_argument("order_id")
    order.set_defaults(func=cmd_by_order)
    tier = kinds.add_parser("by-tier", parents=[common], help="members of a tier")
    tier.add_argument("tier", help="Bronze, Silver or Gold")
    add_paging(tier)
    tier.set_defaults(func=cmd_by_tier)


def _member(ctx: Context, user_id: str) -> dict[str, Any] | None:
    try:
        return ctx.app.loyalty.balance(user_id)
    except InvalidInput:  # not a member yet
        return None


def _outcome(ctx: Context, raw: dict[str, Any]) -> int:
    before = _member(ctx, raw["user_id"]) if raw["type"] == "earn" else None
    outcome = ctx.app.loyalty.submit({k: v for k, v in raw.items() if v is not None})
    data = outcome.to_json_dict()
    detail = data.get("error") or data.get("reason") or f"balance {data.get('balance_after')}"
    after = _member(ctx, raw["user_id"]) if raw["type"] == "earn" else None
    if outcome.status == "approved" and after is not None:
        earned = after["lifetime_earned"] - (before or {}).get("lifetime_earned", 0)
        tier_before = (before or {}).get("tier")
        data |= {"points_earned": earned, "tier": after["tier"], "tier_before": tier_before}
        change = f", tier {tier_before} -> {after['tier']}" if tier_before not in (
            None, after["tier"]) else f", tier {after['tier']}"  # fmt: skip
        detail = f"+{earned} points, balance {after['points']}{change}"
    ctx.emit(data, outcome_line(data, detail))
    return EXIT_BAD_INPUT if outcome.status == "rejected" else 0


def cmd_earn(ctx: Context) -> int:
    a = ctx.args
    return _outcome(
        ctx,
        {"type": "earn", "transaction_id": a.transaction_id, "user_id": a.user_id,
         "order_id": a.order_id, "amount": a.amount, "currency": a.currency,
         "description": a.description},
    )  # fmt: skip


def cmd_redeem(ctx: Context) -> int:
    a = ctx.args
    points: Any = int(a.points) if a.points.isdigit() else a.points  # else: rejected, exit 2
    return _outcome(
        ctx,
        {"type": "redeem", "transaction_id": a.transaction_id, "user_id": a.user_id,
         "points": points, "description": a.description},
    )  # fmt: skip


def member_line(row: Mapping[str, Any]) -> str:
    return f"{row['user_id']}  {row['points']} points  {row['tier']}"


def history_line(row: Mapping[str, Any]) -> str:
    reason = f" ({row['reason']})" if row.get("reason") else ""
    return (
        f"{row['occurred_at']}  {row['type']:<6}  {row['amount']:>10}  {row['status']}{reason}"
        f"  -> {row['balance_after']}  {row['txn_id']}"
    )


def cmd_balance(ctx: Context) -> int:
    row = ctx.app.loyalty.balance(ctx.args.user_id)
    ctx.emit(row, f"{member_line(row)}  (lifetime {row['lifetime_earned']})")
    return 0


def cmd_history(ctx: Context) -> int:
    page = ctx.app.loyalty.history(ctx.args.user_id, ctx.args.limit, ctx.args.next_token)
    emit_page(ctx, page, history_line)
    return 0


def cmd_txn(ctx: Context) -> int:
    details = ctx.app.loyalty.txn(ctx.args.transaction_id)
    data = details.to_json()
    ctx.emit(data, f"{data['txn_id']}  {data['kind']}  {data['status']}  {data['amount']}")
    return 0


def cmd_by_order(ctx: Context) -> int:
    rows = ctx.app.loyalty.by_order(ctx.args.order_id)
    ctx.emit_list(rows, lambda r: f"{r['txn_id']}  {r['user_id']}  {r['points']} points  {r['at']}")
    return 0


def cmd_by_tier(ctx: Context) -> int:
    page = ctx.app.loyalty.by_tier(ctx.args.tier, ctx.args.limit, ctx.args.next_token)
    emit_page(ctx, page, member_line)
    return 0
