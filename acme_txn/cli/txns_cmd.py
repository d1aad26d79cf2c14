"""`acme-txn txns ACCOUNT --last N | --from D1 --to D2`: an account's transactions.

#9 (the last N, newest first: the table, ``PK = ACCT#<id>``) and #11 (a date range: GSI1),
a page at a time (``--next``). `acme-txn txn TXN_ID` (#10) is in ``read_cmd``; the day's
transactions (#12) are `acme-txn report transactions`.
"""

from __future__ import annotations

import argparse
from typing import Any

from acme_base.errors import InvalidInput
from acme_txn.cli.context import Context
from acme_txn.cli.page_output import add_paging, emit_page
from processor.reads.query_rows import txn_line


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    txns = sub.add_parser(
        "txns",
        parents=[common],
        help="an account's transactions: the last N or a date range",
    )
    txns.add_argument("account")
    txns.add_argument("--last", type=int, help="the last N transactions, newest first")
    txns.add_argument("--from", dest="date_from", help="first date, YYYY-MM-DD")
    txns.add_argument("--to", dest="date_to", help="last date (inclusive), YYYY-MM-DD")
    add_paging(txns)
    txns.set_defaults(func=cmd_txns)


def cmd_txns(ctx: Context) -> int:
    args = ctx.args
    ranged = args.date_from is not None or args.date_to is not None
    if (args.last is None) == (not ranged):
        raise InvalidInput("give either --last N or --from D1 --to D2")
    if args.last is not None:
        page = ctx.app.queries.last_txns(args.account, args.last, args.next_token)
    elif args.date_from is None or args.date_to is None:
        raise InvalidInput("a date range needs both --from and --to")
    else:
        page = ctx.app.queries.txns_between(
            args.account, args.date_from, args.date_to, args.limit, args.next_token
        )
    emit_page(ctx, page, txn_line)
    return 0
