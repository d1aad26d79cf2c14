"""`acme-txn statement ACCOUNT --from D1 --to D2` and `acme-txn balance ACCOUNT --as-of T`.

Both read the event log (its head and GSI1, ``processor.reads.asof``), never a projection: they
are as current as the ledger itself, so they carry no freshness caveat. A balance as of T is
the sum of the postings effective by T, whatever order they were recorded in.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from acme_txn.cli.context import Context
from acme_txn.cli.statement_render import statement_csv, statement_html
from processor.domain.money import format_minor
from processor.reads.queries import UnknownId
from processor.reads.statements import parse_instant

FORMATS = ("text", "json", "csv", "html")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    stmt = sub.add_parser(
        "statement",
        parents=[common],
        help="an account's statement: opening, every entry with its balance after, closing",
    )
    stmt.add_argument("account")
    stmt.add_argument("--from", dest="date_from", required=True, help="first date, YYYY-MM-DD")
    stmt.add_argument("--to", dest="date_to", required=True, help="last date (inclusive)")
    stmt.add_argument("--format", choices=FORMATS, default=None, help="default text")
    stmt.add_argument("--out", type=Path, help="write to this file instead of stdout")
    stmt.set_defaults(func=cmd_statement)


def _currency(ctx: Context, account_id: str) -> str:
    account = ctx.app.queries.account(account_id)
    if account is None:
        raise UnknownId(f"unknown account: {account_id!r}")
    return str(account.get("currency") or "USD")


def statement_data(ctx: Context, account_id: str, date_from: str, date_to: str) -> dict[str, Any]:
    currency = _currency(ctx, account_id)
    return ctx.app.asof.statement(account_id, date_from, date_to, currency).to_json()


def _text(data: dict[str, Any]) -> str:
    lines = [
        f"Statement {data['account_id']} {data['from']} .. {data['to']} ({data['currency']})",
        f"  opening balance {data['opening_balance']:>16}",
    ]
    lines += [
        f"  {e['txn_date']} {e['seq']:>6} {e['kind']:<12} {e['status']:<8} "
        f"{e['amount']:>14} {e['balance_after']:>16}  {e['txn_id']}"
        + (f"  ({e['reason']})" if e.get("reason") else "")
        for e in data["entries"]
    ]
    totals = data["totals"]
    lines += [
        f"  credits {totals['credits']}  debits {totals['debits']}  "
        f"entries {totals['entries']} ({totals['declined']} declined)",
        f"  closing balance {data['closing_balance']:>16}"
        + ("" if data["reconciles"] else "  (does NOT reconcile with the ledger)"),
    ]
    return "\n".join(lines)


def cmd_statement(ctx: Context) -> int:
    args = ctx.args
    data = statement_data(ctx, args.account, args.date_from, args.date_to)
    fmt = args.format or ctx.output
    if fmt in ("json", "jsonl") and args.out is None:
        ctx.emit(data)
        return 0
    if fmt == "table":
        fmt = "text"  # the statement's own layout has the column per entry
    import json

    render = {
        "json": lambda d: json.dumps(d, indent=2),
        "csv": statement_csv,
        "html": statement_html,
        "text": _text,
    }[fmt]
    body = render(data)
    if args.out is None:
        print(body, end="" if body.endswith("\n") else "\n", flush=True)
    else:
        args.out.write_text(body, encoding="utf-8")
        ctx.emit({"written": str(args.out), "format": fmt}, f"wrote {args.out}")
    return 0


def cmd_balance_as_of(ctx: Context) -> int:
    """`balance ACCOUNT --as-of T [--known-at K]` (``processor.reads.asof`` says what it reads)."""
    at = parse_instant(ctx.args.as_of)
    known_text = getattr(ctx.args, "known_at", None)
    known = None if known_text is None else parse_instant(known_text, "--known-at")
    answer = ctx.app.asof.balance_at(ctx.args.account, at, known)
    if answer is None:
        _currency(ctx, ctx.args.account)  # an unknown account is exit 2, not "no balance"
        ctx.emit(
            {"account_id": ctx.args.account, "as_of": at.isoformat(), "balance": None,
             "known_at": None if known is None else known.isoformat(), "source": "events"},
            f"{ctx.args.account}: not open at {at.isoformat()}"
            + ("" if known is None else f" (as known at {known.isoformat()})"),
        )  # fmt: skip
        return 0
    data = {
        "account_id": answer.account_id,
        "as_of": at.isoformat(),
        "known_at": None if known is None else known.isoformat(),
        "balance": format_minor(answer.balance, answer.currency),
        "currency": answer.currency,
        "seq": answer.seq,
        "occurred_at": answer.occurred_at,
        "recorded_at": answer.recorded_at,
        "backdated": answer.backdated,
        "later_postings": answer.later_postings,
        "source": "events",
        **answer.pending_json(),  # posted, pending_debits, pending_credits, available
    }
    note = (
        " (a backdated event changes it from the ledger's running balance)"
        if answer.backdated
        else ""
    )
    known_note = "" if known is None else f" as known at {known.isoformat()}"
    ctx.emit(
        data,
        f"{answer.account_id}: {data['balance']} {answer.currency} as of {at.isoformat()}"
        f"{known_note} (events up to seq {answer.seq}){note}",
    )
    return 0


def register_balances(kinds: Any, common: argparse.ArgumentParser) -> None:
    """`report balances --as-of T` (called from ``report_cmd.register``)."""
    balances = kinds.add_parser(
        "balances",
        parents=[common],
        help="every account's posted and available balance at a past instant, from the event log",
    )
    balances.add_argument("--as-of", dest="as_of", required=True, help="ISO time or date")
    balances.set_defaults(func=cmd_report_balances)


def cmd_report_balances(ctx: Context) -> int:
    """One JSON line per account as it is read (a Scan for the accounts, then one GSI1 Query
    each), then the totals per currency: the day's end-of-day total of balances, which is
    the next day's opening."""
    at = parse_instant(ctx.args.as_of)
    totals: dict[str, int] = {}
    count = 0
    for account in ctx.app.asof.accounts():
        answer = ctx.app.asof.balance_at(account, at)
        if answer is None:
            continue  # opened after the instant
        count += 1
        totals[answer.currency] = totals.get(answer.currency, 0) + answer.balance
        money = format_minor(answer.balance, answer.currency)
        ctx.emit(
            {"account_id": account, "balance": money, "currency": answer.currency,
             "seq": answer.seq, "backdated": answer.backdated,
             "later_postings": answer.later_postings, **answer.pending_json()},
            f"{account:<16} {money:>16} {answer.currency}  (seq {answer.seq})",
        )  # fmt: skip
    total = {c: format_minor(v, c) for c, v in sorted(totals.items())}
    ctx.emit(
        {"as_of": at.isoformat(), "accounts": count, "total": total},
        f"{count} accounts at {at.isoformat()}; total "
        + (", ".join(f"{v} {c}" for c, v in total.items()) or "0"),
    )
    return 0


def end_of_day_totals(ctx: Context, days: list[str]) -> dict[str, str]:
    """Each day's end-of-day total of balances, from the log (``report daily --balances``):
    every account's balance as of the day's end (the postings effective by then), summed per
    currency. After one Scan for the accounts, each account's head and its events effective
    from the first day on are read once for all the days: an analyst's batch read."""
    ends = [parse_instant(day) for day in days]
    totals: dict[datetime, dict[str, int]] = {at: {} for at in ends}
    for account in ctx.app.asof.accounts():
        found = ctx.app.asof.balances_at(account, ends)
        if found is None:
            continue
        currency, answers = found
        for at, balance in answers.items():
            if balance is not None:
                totals[at][currency] = totals[at].get(currency, 0) + balance
    return {
        day: "; ".join(f"{format_minor(v, c)} {c}" for c, v in sorted(totals[at].items()))
        for day, at in zip(days, ends, strict=True)
    }
