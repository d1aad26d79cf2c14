"""`acme-txn events|txn|balance`: read an account's history, a txn, a balance."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

from acme_base.errors import TableMissing, UnknownAccount
from acme_txn.cli.context import Context
from acme_txn.cli.statement_cmd import cmd_balance_as_of
from acme_txn.freshness import add_require_fresh, guard
from processor.domain.events import HistoryArchived
from processor.reads.balance_read import SOURCES, balance_of
from processor.reads.views import event_json, event_line, kind_label
from processor.services.ledger import utc_now


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
    balance.add_argument(
        "--source",
        choices=SOURCES,
        default="ledger",
        help="ledger (default): the ledger's head, one strongly consistent read, with the "
        "projection's lag beside it; projection: the balances projection",
    )
    add_require_fresh(balance)
    balance.set_defaults(func=cmd_balance)


def cmd_events(ctx: Context) -> int:
    found = False
    rows: list[dict[str, Any]] = []
    lines: list[str] = []
    for event in ctx.store.events(ctx.args.account):
        found = True
        if isinstance(event, HistoryArchived):  # the live stream starts at an archival cut
            rows.append({**event_json(event), "archived_events": event.archived_events})
            lines.append(
                f"{event.archived_events} earlier events archived (before "
                f"{event.archived_before}); balance brought forward:\n{event_line(event)}"
            )
            continue
        wanted = getattr(ctx.args, "correlation_id", None)
        if wanted is None or event.correlation_id == wanted:
            rows.append(event_json(event))
            by = f" by {event.principal}" if event.principal else ""
            lines.append(event_line(event) + by)
    if not found:
        raise UnknownAccount(ctx.args.account)
    texts = iter(lines)
    ctx.emit_list(rows, lambda _row: next(texts))
    return 0


def cmd_txn(ctx: Context) -> int:
    """#10: the record ``TXN#<id>`` carries the full details (one GetItem): the outcome's
    fields as before, plus kind, amount, currency, dates, and every leg under ``events``.
    An unknown txn is ``UnknownId`` (exit 2)."""
    data = ctx.app.queries.txn(ctx.args.txn_id).to_json()
    if data["kind"] == "linked":
        ctx.emit(data, _linked_text(data))
        return 0
    human = "\n".join(
        [
            f"{data['txn_id']}: {data['status']} {data['kind']} {data['amount']} "
            f"{data['currency']} on {data['txn_date']} ({data['occurred_at']})"
            + (f" reason {data['reason']}" if data.get("reason") else "")
            + (f" by {data['principal']}" if data.get("principal") else "")
        ]
        + [
            f"  {e['account_id']} seq {e['seq']} {kind_label(e['kind'], e.get('side'))} "
            f"{e['amount']} -> {e['balance_after']}"
            for e in data["events"]
        ]
        + _settled_text(data)
    )
    ctx.emit(data, human)
    return 0


def _settled_text(data: dict[str, Any]) -> list[str]:
    """A pending's settlement: open, or posted/voided/expired with what moved and what not."""
    if "settled" not in data:
        return []
    settled = data["settled"]
    if settled is None:
        return ["  open (not yet posted, voided or expired)"]
    by = f" by {settled['by']}" if settled["by"] else ""
    return [
        f"  {settled['status']}{by}: posted {settled['posted']}, released {settled['released']}"
    ]


def _linked_text(data: dict[str, Any]) -> str:
    """The batch, then each leg: its kind, amount and accounts (or its outcome alone)."""
    lines = [
        f"{data['txn_id']}: {data['status']} linked batch of {len(data['legs'])} legs"
        + (f" (leg {data['declined_leg']} declined: {data['reason']})" if data["reason"] else "")
    ]
    for index, leg in enumerate(data["legs"]):
        moves = " ".join(
            f"{e['account_id']} seq {e['seq']} {e['kind']} -> {e['balance_after']}"
            for e in leg.get("events", [])
        )
        lines.append(
            f"  leg {index} {leg.get('txn_id')}: {leg.get('status')} {leg.get('kind', '')} "
            f"{leg.get('amount', '')} {moves}".rstrip()
        )
    return "\n".join(lines)


def cmd_balance(ctx: Context) -> int:
    """From the ledger's head (one strongly consistent read) by default, the projection's
    balance and lag beside it; ``--source projection``: from the projection. The document is
    ``processor.reads.balance_read.balance_of`` (shared with the HTTP API)."""
    if getattr(ctx.args, "as_of", None) is not None:
        return cmd_balance_as_of(ctx)
    source = getattr(ctx.args, "source", "ledger")
    view = None
    with contextlib.suppress(TableMissing):
        view = ctx.app.views.balance(ctx.args.account)
    if source == "projection" or getattr(ctx.args, "require_fresh", False):
        guard(ctx)  # the projection's freshness on stderr (--require-fresh: exit 1 if behind)
    data = balance_of(ctx.args.account, ctx.store.state(ctx.args.account), utc_now(), view, source)
    ctx.emit(data, _balance_text(data))
    return 0


def _balance_text(data: dict[str, Any]) -> str:
    """The answer, where it came from, and the other source's figure (and why they differ)."""
    head = (
        f"{data['account_id']}: {data['balance']} {data['currency']} "
        f"(seq {data['applied_seq']}, from the {data['source']})"
    )
    projected = data.get("projection")
    if data["source"] == "ledger":
        if projected is None:
            return f"{head}; projection: not projected yet"
        lag = projected["behind_by"]
        state = "current" if not lag else f"{lag} event{'s' if lag != 1 else ''} behind"
        return f"{head}; projection: {projected['balance']} ({state})"
    return f"{head}; ledger posted {data['posted']}" + (
        f" ({data['note']})" if data.get("note") else ""
    )
