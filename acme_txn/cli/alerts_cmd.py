"""`acme-txn alerts list|show|review|dismiss`: the fraud analysts' queue.

``list`` reads the sparse risk-score index one day at a time (``alert_day = D AND
risk_score >= S``), merges the days highest score first, then filters by rule and status.
"""

from __future__ import annotations

import argparse
import getpass
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from acme_base.errors import ConfigError, InvalidInput
from acme_txn.cli.context import Context, err
from processor.domain.money import format_minor
from projections.fraud.config import RULE_NAMES
from projections.fraud.model import DISMISSED, REVIEWED, STATUSES, Alert
from projections.fraud.ports import UnknownAlert
from projections.reports import date_range

DEFAULT_DAYS = 31
MAX_NOTE = 1000


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    alerts = sub.add_parser("alerts", help="fraud alerts: list, show, review, dismiss")
    kinds = alerts.add_subparsers(dest="alerts", required=True, metavar="ACTION")
    ls = kinds.add_parser("list", parents=[common], help="alerts by risk score in a date range")
    ls.add_argument("--min-score", type=int, default=0, help="lowest risk score, 0..100")
    ls.add_argument(
        "--from", dest="date_from", help=f"first day (default: {DEFAULT_DAYS} days before --to)"
    )
    ls.add_argument("--to", dest="date_to", help="last day, inclusive (default: today, UTC)")
    ls.add_argument("--rule", choices=RULE_NAMES, help="one rule only")
    ls.add_argument("--status", choices=STATUSES, help="one status only")
    ls.add_argument("--chart", type=Path, help="also draw alerts per rule per day into a PNG")
    ls.set_defaults(func=cmd_list)
    show = kinds.add_parser("show", parents=[common], help="an alert with its evidence")
    show.add_argument("alert_id")
    show.set_defaults(func=cmd_show)
    for action, status in (("review", REVIEWED), ("dismiss", DISMISSED)):
        p = kinds.add_parser(action, parents=[common], help=f"mark an alert {status}")
        p.add_argument("alert_id")
        p.add_argument("--note", required=True, help="why (1..1000 characters)")
        p.add_argument("--reviewer", help="who (default: the login name)")
        p.set_defaults(func=cmd_status, status=status)


def _days(args: argparse.Namespace) -> list[str]:
    last = args.date_to or datetime.now(UTC).date().isoformat()
    first = args.date_from
    if first is None:
        try:
            first = (date.fromisoformat(last) - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        except ValueError as exc:
            raise InvalidInput(f"--to {last!r} is not a date: use YYYY-MM-DD") from exc
    return date_range(first, last)


def cmd_list(ctx: Context) -> int:
    args = ctx.args
    if not 0 <= args.min_score <= 100:
        raise InvalidInput("--min-score must be 0..100")
    days = _days(args)
    found = ctx.app.fraud_store.alerts(days, args.min_score)
    found = [a for a in found if args.rule in (None, a.rule) and args.status in (None, a.status)]
    if args.chart is not None:
        err(f"chart written to {draw_alert_chart(found, days, args.chart)}")
    if ctx.output == "text":
        print(f"{len(found)} alerts {days[0]} .. {days[-1]}", flush=True)
    ctx.emit_list(
        [a.as_dict() for a in found],
        lambda a: (
            f"{a['risk_score']:>3}  {a['alert_day']}  {a['rule']:<17} "
            f"{a['account_id']:<14} {a['status']:<9} {a['alert_id']}  {a['detail']}"
        ),
    )
    return 0


def cmd_show(ctx: Context) -> int:
    alert = ctx.app.fraud_store.alert(ctx.args.alert_id)
    if alert is None:
        raise UnknownAlert(f"no alert {ctx.args.alert_id}")
    txns = [_evidence(ctx, alert, txn_id) for txn_id in alert.evidence]
    data = {**alert.as_dict(), "transactions": txns}
    human = "\n".join(
        [
            f"alert {alert.alert_id}: {alert.rule} on {alert.account_id}, score "
            f"{alert.risk_score}, {alert.status}",
            f"window {alert.window_start} .. {alert.window_end}: {alert.detail}",
            *(f"  {t.get('line') or t}" for t in txns),
        ]
    )
    ctx.emit(data, human)
    return 0


def _evidence(ctx: Context, alert: Alert, txn_id: str) -> dict[str, Any]:
    """The evidence transaction, from the log (the account's event of that txn id)."""
    for event in ctx.app.history.events(alert.account_id):
        if event.txn_id == txn_id:
            row = {
                "txn_id": event.txn_id,
                "seq": event.seq,
                "occurred_at": event.occurred_at.isoformat(),
                "kind": event.kind,
                "status": event.status,
                "amount": format_minor(event.amount, event.currency),
                "currency": event.currency,
                "counterparty": event.counterparty_id,
                "reason": event.decline_reason,
            }
            line = " ".join(str(v) for v in row.values() if v is not None)
            return {**row, "line": line}
    return {"txn_id": txn_id, "missing": True}


def cmd_status(ctx: Context) -> int:
    note = ctx.args.note.strip()
    if not 1 <= len(note) <= MAX_NOTE:
        raise InvalidInput(f"--note must be 1..{MAX_NOTE} characters")
    reviewer = ctx.args.reviewer or getpass.getuser()
    at = datetime.now(UTC).isoformat()
    alert = ctx.app.fraud_store.set_status(
        ctx.args.alert_id, ctx.args.status, note=note, reviewer=reviewer, at=at
    )
    ctx.emit(alert.as_dict(), f"alert {alert.alert_id} is {alert.status} ({reviewer}: {note})")
    return 0


def draw_alert_chart(alerts: list[Alert], days: list[str], path: Path) -> Path:
    """Stacked bars: alerts per rule per day."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ConfigError("--chart needs matplotlib: pip install 'acme-txn[chart]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [d for d in days if any(a.alert_day == d for a in alerts)] or days[-1:]
    counts = Counter((a.alert_day, a.rule) for a in alerts)
    xs = list(range(len(shown)))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.5 * len(shown) + 3), 4.5))
    bottom = [0] * len(shown)
    for rule in RULE_NAMES:
        heights = [counts[(d, rule)] for d in shown]
        if any(heights):
            ax.bar(xs, heights, 0.6, bottom=bottom, label=rule)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_xticks(xs, shown, rotation=45, ha="right")
    ax.set_ylabel("alerts")
    ax.set_title(f"Alerts per rule per day\n{days[0]} .. {days[-1]} (days with alerts)")
    if alerts:
        ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
