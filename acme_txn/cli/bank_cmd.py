"""`acme-txn customer get|by-phone|by-state|special` and `acme-txn account get|list|customer`.

The customer and account access patterns of the seed (#2, #3, #4, and the ones iterations
1-4 imply), each one GetItem or Query of ``App.queries``. Unknown ids exit 2.
"""

from __future__ import annotations

import argparse
from typing import Any

from acme_txn.cli.context import Context
from acme_txn.cli.page_output import add_paging, emit_page
from processor.reads.queries import UnknownId
from processor.reads.query_rows import account_line, customer_line
from processor.storage.query_specs import SPECIAL_STATUSES


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    customer = sub.add_parser("customer", help="customers: by id, phone, state, special status")
    kinds = customer.add_subparsers(dest="customer_cmd", required=True, metavar="QUERY")
    get = kinds.add_parser("get", parents=[common], help="a customer by id")
    get.add_argument("customer_id")
    get.set_defaults(func=cmd_customer_get)
    phone = kinds.add_parser("by-phone", parents=[common], help="a customer by phone")
    phone.add_argument("phone", help="E.164, e.g. +12125550123")
    phone.set_defaults(func=cmd_by_phone)
    state = kinds.add_parser("by-state", parents=[common], help="the customers of a state")
    state.add_argument("state", help="US state or territory code, e.g. NY")
    add_paging(state)
    state.set_defaults(func=cmd_by_state)
    special = kinds.add_parser("special", parents=[common], help="customers with a special status")
    special.add_argument("--status", choices=SPECIAL_STATUSES, help="only this status")
    add_paging(special)
    special.set_defaults(func=cmd_special)

    account = sub.add_parser("account", help="accounts: by number, of a customer")
    acts = account.add_subparsers(dest="account_cmd", required=True, metavar="QUERY")
    aget = acts.add_parser("get", parents=[common], help="an account by number")
    aget.add_argument("account")
    aget.set_defaults(func=cmd_account_get)
    alist = acts.add_parser("list", parents=[common], help="a customer's accounts")
    alist.add_argument("customer_id")
    add_paging(alist)
    alist.set_defaults(func=cmd_account_list)
    owner = acts.add_parser("customer", parents=[common], help="the customer of an account")
    owner.add_argument("account")
    owner.set_defaults(func=cmd_account_customer)


def _one(ctx: Context, row: dict[str, Any] | None, what: str, line: Any) -> int:
    if row is None:
        raise UnknownId(f"unknown {what}")
    ctx.emit(row, line(row))
    return 0


def cmd_customer_get(ctx: Context) -> int:
    row = ctx.app.queries.customer(ctx.args.customer_id)
    return _one(ctx, row, f"customer: {ctx.args.customer_id!r}", customer_line)


def cmd_by_phone(ctx: Context) -> int:
    row = ctx.app.queries.customer_by_phone(ctx.args.phone)
    return _one(ctx, row, f"phone: {ctx.args.phone!r}", customer_line)


def cmd_by_state(ctx: Context) -> int:
    args = ctx.args
    page = ctx.app.queries.customers_by_state(args.state, args.limit, args.next_token)
    emit_page(ctx, page, customer_line)
    return 0


def cmd_special(ctx: Context) -> int:
    args = ctx.args
    page = ctx.app.queries.special_customers(args.status, args.limit, args.next_token)
    emit_page(ctx, page, customer_line)
    return 0


def cmd_account_get(ctx: Context) -> int:
    row = ctx.app.queries.account(ctx.args.account)
    return _one(ctx, row, f"account: {ctx.args.account!r}", account_line)


def cmd_account_list(ctx: Context) -> int:
    args = ctx.args
    page = ctx.app.queries.accounts_of(args.customer_id, args.limit, args.next_token)
    emit_page(ctx, page, account_line)
    return 0


def cmd_account_customer(ctx: Context) -> int:
    row = ctx.app.queries.customer_of_account(ctx.args.account)
    return _one(ctx, row, f"account: {ctx.args.account!r}", customer_line)
