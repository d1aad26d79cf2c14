"""`acme-txn report daily|declined` and `acme-txn reconcile`: the analysts' commands."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from acme_base.errors import InvalidInput
from acme_txn.cli.context import Context, err
from acme_txn.cli.output import emit_list
from acme_txn.cli.progress import progress
from acme_txn.cli.report_render import draw_chart, to_table
from acme_txn.cli.statement_cmd import end_of_day_totals, register_balances
from acme_txn.freshness import StaleProjection, add_require_fresh, guard, say_source
from processor.domain.events import DeclineReason
from processor.reads.query_rows import txn_line
from projections.ports import ViewStore
from projections.reconcile import Reconciliation, reconcile
from projections.reports import (
    DAILY_COLUMNS,
    DECLINED_COLUMNS,
    daily_report,
    date_range,
    declined_report,
    parse_date,
    parse_reason,
)

FORMATS = ("text", "json", "csv")
MISMATCH_COLUMNS = ("model", "key", "field", "expected", "actual")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    fmt = argparse.ArgumentParser(add_help=False)
    fmt.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default text; --json is --format json)",
    )
    add_require_fresh(fmt)  # every report of the projections states how current it is
    report = sub.add_parser("report", help="analyst reports from the read models")
    kinds = report.add_subparsers(dest="report", required=True, metavar="REPORT")
    daily = kinds.add_parser(
        "daily", parents=[common, fmt], help="daily totals for a date or a date range"
    )
    daily.add_argument("--date", help="one date, YYYY-MM-DD")
    daily.add_argument("--from", dest="date_from", help="first date of a range")
    daily.add_argument("--to", dest="date_to", help="last date of a range (inclusive)")
    daily.add_argument("--chart", type=Path, help="also draw the totals into this PNG file")
    daily.add_argument(
        "--balances",
        action="store_true",
        help="add each day's end-of-day total of balances, from the event log (it is the "
        "next day's opening; one query per account and day)",
    )
    daily.set_defaults(func=cmd_daily)
    declined = kinds.add_parser(
        "declined", parents=[common, fmt], help="declined transactions in a date range"
    )
    declined.add_argument("--from", dest="date_from", required=True)
    declined.add_argument("--to", dest="date_to", required=True)
    declined.add_argument(
        "--reason",
        metavar="|".join(r.value for r in DeclineReason),
        help="one decline reason (default: every reason; another is bad input, exit 2)",
    )
    declined.add_argument(
        "--source",
        choices=("ledger", "projection"),
        default="ledger",
        help="the ledger's own sparse index of declines (default, as `export declined`: "
        "always current) or the projection's declined index",
    )
    declined.set_defaults(func=cmd_declined)
    register_transactions(kinds, common)
    register_balances(kinds, common)  # `report balances --as-of T` (statement_cmd)
    rec = sub.add_parser(
        "reconcile",
        parents=[common, fmt],
        help="read models vs the event log, up to what was projected; lists every mismatch. "
        "Exit 0: current and equal; 1: damaged (mismatches); 3: behind only (the records not "
        "projected yet are counted, not compared)",
    )
    rec.set_defaults(func=cmd_reconcile)


def _format(ctx: Context) -> str:
    """``--format`` (kept for scripts) maps onto ``--output``, which wins."""
    chosen = getattr(ctx.args, "format", None)
    if ctx.output != "text" or chosen is None:
        return ctx.output
    return str(chosen)


def _views(ctx: Context) -> ViewStore:
    return ctx.app.views


def _print_rows(ctx: Context, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    fmt = _format(ctx)
    if fmt == "text":
        print(to_table(rows, columns), flush=True)  # money right-aligned
    else:
        emit_list(fmt, rows, columns=columns)


def _dates(args: argparse.Namespace) -> list[str]:
    if args.date and (args.date_from or args.date_to):
        raise InvalidInput("give either --date or --from/--to, not both")
    if args.date:
        return [parse_date(args.date, "--date").isoformat()]
    if not (args.date_from and args.date_to):
        raise InvalidInput("give --date D, or --from D1 --to D2")
    return date_range(args.date_from, args.date_to)


def cmd_daily(ctx: Context) -> int:
    dates = _dates(ctx.args)
    guard(ctx)
    with progress("daily totals", lambda: f"{len(dates)} days"):
        rows = daily_report(_views(ctx), dates)
    columns: Sequence[str] = DAILY_COLUMNS
    if getattr(ctx.args, "balances", False):
        totals = end_of_day_totals(ctx, dates)
        rows = [{**row, "end_of_day_balance": totals[row["date"]]} for row in rows]
        columns = (*DAILY_COLUMNS, "end_of_day_balance")
    if ctx.args.chart is not None:
        with progress("drawing the chart", lambda: str(ctx.args.chart)):
            draw_chart(rows, ctx.args.chart)
        err(f"chart written to {ctx.args.chart}")
    _print_rows(ctx, rows, columns)
    return 0


def cmd_declined(ctx: Context) -> int:
    args = ctx.args
    source = getattr(args, "source", "ledger")
    say_source(ctx, source)  # stderr: which source, how fresh (stdout keeps its shape)
    if source == "ledger":
        reasons = parse_reason(args.reason)
        rows = list(ctx.app.queries.stream_declined(args.date_from, args.date_to, reasons))
        _print_rows(ctx, rows, DECLINED_COLUMNS)
        return 0
    rows = declined_report(_views(ctx), ctx.args.date_from, ctx.args.date_to, ctx.args.reason)
    _print_rows(ctx, rows, DECLINED_COLUMNS)
    return 0


def register_transactions(kinds: Any, common: argparse.ArgumentParser) -> None:
    """`report transactions --date D` (#12): every transaction of a day, from the ledger's
    GSI2 (8 write shards merged), streamed one line per transaction."""
    txns = kinds.add_parser(
        "transactions", parents=[common], help="every transaction of a day, streamed"
    )
    txns.add_argument("--date", required=True, help="the day, YYYY-MM-DD")
    txns.add_argument("--limit", type=int, help="stop after N and print a --next token")
    txns.add_argument("--next", dest="next_token", help="the token a previous run printed")
    txns.set_defaults(func=cmd_transactions)


def cmd_transactions(ctx: Context) -> int:
    """JSON lines (``--json``) or text lines; with ``--limit``, a last line
    ``{"next_token": ...}`` when more remain."""
    args, queries = ctx.args, ctx.app.queries
    if args.limit is None and args.next_token is None:
        rows = queries.stream_day(args.date)
        token = None
    else:
        page = queries.txns_of_day(args.date, args.limit or 100, args.next_token)
        rows, token = iter(page.items), page.next_token
    if ctx.output in ("text", "jsonl"):  # streamed: a day can be long
        for row in rows:
            ctx.emit(row, txn_line(row))
        if token:
            err(f"more: --next {token}")
        return 0
    ctx.emit_list(list(rows), txn_line, next_token=token)
    return 0


#: `reconcile`'s exit code when nothing projected is damaged but the projection is behind
EXIT_BEHIND = 3


def reconcile_exit(result: Reconciliation) -> int:
    """0 current and equal; 1 damaged (a mismatch in what was projected); 3 behind only."""
    if result.damaged:
        return 1
    return EXIT_BEHIND if result.records_behind else 0


def _verdict(result: Reconciliation) -> str:
    if result.damaged:
        return f"{len(result.mismatches)} MISMATCHES (the read models are damaged)"
    if result.records_behind:
        return (
            f"OK up to what was projected; behind by {result.records_behind} records, not "
            "compared (run `acme-txn project --until-idle`)"
        )
    return "OK"


def cmd_reconcile(ctx: Context) -> int:
    if getattr(ctx.args, "require_fresh", False):
        guard(ctx)  # --require-fresh: exit 1 instead of answering when the stream lags
    result = reconcile(ctx.app.history, ctx.app.views)  # archive + live: the whole log
    if getattr(ctx.args, "require_fresh", False) and result.records_behind:
        raise StaleProjection(
            f"--require-fresh: the projection is behind by {result.records_behind} records"
        )
    fmt = _format(ctx)
    if fmt in ("json", "jsonl"):
        print(json.dumps(result.as_dict()), flush=True)
    elif fmt in ("csv", "table"):
        emit_list(fmt, [m.as_dict() for m in result.mismatches], columns=MISMATCH_COLUMNS)
    else:
        lines = [
            f"checked {result.accounts_checked} accounts, {result.days_checked} days, "
            f"{result.declined_checked} declined entries: {_verdict(result)}"
        ]
        lines += [f"  {m.line()}" for m in result.mismatches]
        print("\n".join(lines), flush=True)
    return reconcile_exit(result)
