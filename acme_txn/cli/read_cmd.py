"""`acme-txn events|txn|balance`: read an account's history, a txn, a balance."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

from acme_base.errors import TableMissing, UnknownAccount
from acme_txn.cli.context import Context
from processor.events import HistoryArchived
from processor.money import format_minor
from processor.views import event_json, event_line


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    events = sub.add_parser("events", parents=[common], help="an account's events in seq order")
    events.add_argument("account")
    events.set_defaults(func=cmd_events)
    txn = sub.add_parser("txn", parents=[common], help="a transaction by its txn id")
    txn.add_argument("txn_id")
    txn.set_defaults(func=cmd_txn)
    balance = sub.add_parser("balance", parents=[common], help="an account's balance")
    balance.add_argument("account")
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
    """From the balance projection; from the event head if the projection has nothing yet."""
    view = None
    with contextlib.suppress(TableMissing):
        view = ctx.app.views.balance(ctx.args.account)
    if view is not None:
        data = {
            "account_id": view.account_id,
            "balance": format_minor(view.balance),
            "applied_seq": view.applied_seq,
            "currency": view.currency,
            "source": "projection",
        }
        ctx.emit(
            data,
            f"{view.account_id}: {data['balance']} {view.currency} "
            f"(seq {view.applied_seq}, projection)",
        )
        return 0
    state = ctx.store.state(ctx.args.account)
    if state is None:
        raise UnknownAccount(ctx.args.account)
    data = {
        "account_id": state.account_id,
        "balance": format_minor(state.balance),
        "applied_seq": state.seq,
        "currency": state.currency,
        "source": "events",
    }
    ctx.emit(
        data,
        f"{state.account_id}: {data['balance']} {state.currency} "
        f"(seq {state.seq}, events: not projected yet)",
    )
    return 0
