"""`acme-txn offer get|for-customer|status|customers`: the offer access patterns (iteration 8).

Each is one GetItem or one Query page (``App.offer_queries``); relationships past their TTL
are hidden. Unknown ids and bad input exit 2. Offers are created, sent and answered through
`acme-txn submit` (``create_offer``, ``send_offer``, ``respond_offer``).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from typing import Any

from acme_txn.cli.context import Context
from acme_txn.cli.page_output import add_paging, emit_page


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    offer = sub.add_parser("offer", help="marketing offers: details, a customer's, status")
    kinds = offer.add_subparsers(dest="offer_cmd", required=True, metavar="QUERY")
    get = kinds.add_parser("get", parents=[common], help="an offer's details")
    get.add_argument("offer_id", help="MMDDYYYY-N, e.g. 01022022-1")
    get.set_defaults(func=cmd_get)
    mine = kinds.add_parser(
        "for-customer", parents=[common], help="a customer's offers (optionally one offer)"
    )
    mine.add_argument("customer_id")
    mine.add_argument("--offer", dest="offer_id", help="only this offer")
    add_paging(mine)
    mine.set_defaults(func=cmd_for_customer)
    status = kinds.add_parser(
        "status", parents=[common], help="the status of an offer for a customer"
    )
    status.add_argument("customer_id")
    status.add_argument("offer_id")
    status.set_defaults(func=cmd_status)
    who = kinds.add_parser("customers", parents=[common], help="an offer's customers")
    who.add_argument("offer_id")
    add_paging(who)
    who.set_defaults(func=cmd_customers)


def offer_line(row: Mapping[str, Any]) -> str:
    details = json.dumps(row["details"], sort_keys=True)
    return (
        f"{row['offer_id']}  dated {row['offer_date']}  expires {row['expires_on']}\n"
        f"details: {details}\nterms: {row['terms']}"
    )


def relationship_line(row: Mapping[str, Any]) -> str:
    answered = f" at {row['responded_at']}" if row.get("responded_at") else ""
    return (
        f"{row['customer_id']}  {row['offer_id']}  {row['status']}{answered}  "
        f"sent {row['sent_at']}  expires {row['expires_on']}  deleted after {row['delete_after']}"
    )


def cmd_get(ctx: Context) -> int:
    row = ctx.app.offer_queries().offer(ctx.args.offer_id)
    ctx.emit(row, offer_line(row))
    return 0


def cmd_for_customer(ctx: Context) -> int:
    args = ctx.args
    page = ctx.app.offer_queries().for_customer(
        args.customer_id, args.offer_id, args.limit, args.next_token
    )
    emit_page(ctx, page, relationship_line)
    return 0


def cmd_status(ctx: Context) -> int:
    row = ctx.app.offer_queries().status(ctx.args.customer_id, ctx.args.offer_id)
    ctx.emit(row, relationship_line(row))
    return 0


def cmd_customers(ctx: Context) -> int:
    args = ctx.args
    page = ctx.app.offer_queries().customers_of(args.offer_id, args.limit, args.next_token)
    emit_page(ctx, page, relationship_line)
    return 0
