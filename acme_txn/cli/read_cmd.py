"""`acme-txn events|txn|balance`: read an account's history, a txn, a balance."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

from acme_base.errors import TableMissing, UnknownAccount
from acme_txn.cli.context import Context
from acme_txn.cli.statement_cmd import cmd_balance_as_of
from acme_txn.freshness import add_require_fresh, guard
from processor.balance_read import balance_of
from processor.events import HistoryArchived
from processor.service import utc_now
from processor.views import event_json, event_line


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    events = sub.add_parser("events", parents=[common], help="an account's events in seq order")
    events.add_argument("account")
    events.add_argument(
        "--correlation-id",
        help="only the events of commands with this correlation id (a filter over the "
        "account's events: the ledger has no index on it)",
    )
    events.set_defaults(func=cmd_events)
    txn = sub.add_parser("txn", parents=[common], help="a transaction by its txn id")
    txn.add_argument("txn_id")
    txn.set_defaults(func=cmd_txn)
    balance = sub.add_parser("balance", parents=[common], help="an account's balance")
    balance.add_argument("account")
    balance.add_argument(
        "--as-of",
        help="the balance as of an effective time (ISO time with a zone, or a date: its end): "
        "the sum of the postings effective by then, backdated ones included, from the event log",
    )
    balance.add_argument(
        "--known-at",
        help="with --as-of: count only the events the ledger had recorded by this time (what "
        "the bank knew then)",
    )
    add_require_fresh(balance)
    balance.set_defaults(func=cmd_balance)


def cmd_events(ctx: Context) -> int:
    found = False
    for event in ctx.store.events(ctx.args.account):
        found = True
        if isinstance(event, HistoryArchived):  # the live stream starts at an archival cut
            ctx.emit(
                {**event_json(event), "archived_events": event.archived_events},
                f"{event.archived_events} earlier events archived (before "
                f"{event.archived_before}); balance brought forward:\n{event_line(event)}",
            )
            continue
        wanted = getattr(ctx.args, "correlation_id", None)
        if wanted is None or event.correlation_id == wanted:
            ctx.emit(event_json(event), event_line(event))
    if not found:
        raise UnknownAccount(ctx.args.account)
    return 0


def cmd_txn(ctx: Context) -> int:
    """#10: the record ``TXN#<id>`` carries the full details (one GetItem): the outcome's
    fields as before, plus kind, amount, currency, dates, and every leg under ``events``.
    An unknown txn is ``UnknownId`` (exit 2)."""
    data = ctx.app.queries.txn(ctx.args.txn_id).to_json()
    human = "\n".join(
        [
            f"{data['txn_id']}: {data['status']} {data['kind']} {data['amount']} "
            f"{data['currency']} on {data['txn_date']} ({data['occurred_at']})"
            + (f" reason {data['reason']}" if data.get("reason") else "")
        ]
        + [
            f"  {e['account_id']} seq {e['seq']} {e['kind']} {e['amount']} -> {e['balance_after']}"
            for e in data["events"]
        ]
    )
    ctx.emit(data, human)
    return 0


def cmd_balance(ctx: Context) -> int:
    """From the balance projection; from the event head if the projection has nothing yet;
    the document is ``processor.balance_read.balance_of`` (shared with the HTTP API)."""
    if getattr(ctx.args, "as_of", None) is not None:
        return cmd_balance_as_of(ctx)
    view = None
    with contextlib.suppress(TableMissing):
        view = ctx.app.views.balance(ctx.args.account)
    if view is not None:
        guard(ctx)  # the projection's freshness on stderr (--require-fresh: exit 1 if behind)
    # the head: one strongly consistent read (the balances view carries no limits or flags)
    data = balance_of(ctx.args.account, ctx.store.state(ctx.args.account), utc_now(), view)
    where = "projection" if view is not None else "events: not projected yet"
    ctx.emit(
        data,
        f"{data['account_id']}: {data['balance']} {data['currency']} "
        f"(seq {data['applied_seq']}, {where})",
    )
    return 0
