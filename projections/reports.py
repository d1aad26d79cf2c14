"""Analyst reports: daily totals (access pattern #12, seed iteration 12) and declined
transactions in a date range (#13, the sparse index of seed iteration 6), plus CSV and chart
rendering. Money leaves here as decimal strings, never floats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from acme_base.errors import ConfigError, InvalidInput
from processor.events import DeclineReason
from processor.money import format_minor, to_minor
from projections.model import DAILY_FIELDS, MONEY_FIELDS, DailyTotals, DeclinedEntry
from projections.views import ViewStore

MAX_DAYS = 3660
DAILY_COLUMNS = ("date", *DAILY_FIELDS)
DECLINED_COLUMNS = ("txn_id", "account_id", "reason", "amount", "txn_date", "occurred_at")


def parse_date(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{what} {text!r} is not a date: use YYYY-MM-DD") from exc


def date_range(date_from: str, date_to: str) -> list[str]:
    """Every date from ``date_from`` to ``date_to`` inclusive, as ISO strings."""
    first, last = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    if last < first:
        raise InvalidInput(f"--to {date_to} is before --from {date_from}")
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise InvalidInput(f"date range of {days} days is too long (at most {MAX_DAYS})")
    return [(first + timedelta(days=i)).isoformat() for i in range(days)]


def daily_row(day: str, totals: DailyTotals) -> dict[str, Any]:
    row: dict[str, Any] = {"date": day}
    for name, value in totals.as_dict().items():
        row[name] = format_minor(value) if name in MONEY_FIELDS else value
    return row


def daily_report(views: ViewStore, dates: Sequence[str]) -> list[dict[str, Any]]:
    """One row per date: the sum of that date's shards."""
    totals = views.daily(dates)
    return [daily_row(d, totals[d]) for d in dates]


def parse_reason(text: str | None) -> list[str]:
    if text is None:
        return [r.value for r in DeclineReason]
    try:
        return [DeclineReason(text).value]
    except ValueError as exc:
        known = ", ".join(r.value for r in DeclineReason)
        raise InvalidInput(f"unknown decline reason {text!r} (known: {known})") from exc


def declined_row(entry: DeclinedEntry) -> dict[str, Any]:
    return {
        "txn_id": entry.txn_id,
        "account_id": entry.account_id,
        "reason": entry.reason,
        "amount": format_minor(entry.amount),
        "txn_date": entry.txn_date,
        "occurred_at": entry.occurred_at,
        "seq": entry.seq,
        "kind": entry.kind,
        "currency": entry.currency,
    }


def declined_report(
    views: ViewStore, date_from: str, date_to: str, reason: str | None = None
) -> list[dict[str, Any]]:
    """Query the sparse GSI once per decline reason and merge (seed iteration 6)."""
    date_range(date_from, date_to)  # validates both dates and their order
    entries: list[DeclinedEntry] = []
    for code in parse_reason(reason):
        entries += views.declined(code, date_from, date_to)
    entries.sort(key=lambda e: (e.txn_date, e.occurred_at, e.account_id, e.seq))
    return [declined_row(e) for e in entries]


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def to_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    widths = [max([len(c)] + [len(str(r.get(c, ""))) for r in rows]) for c in columns]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += [
        "  ".join(
            str(r.get(c, "")).rjust(w) if c in MONEY_FIELDS else str(r.get(c, "")).ljust(w)
            for c, w in zip(columns, widths, strict=True)
        )
        for r in rows
    ]
    return "\n".join(lines)


def draw_chart(rows: Sequence[dict[str, Any]], path: Path) -> Path:
    """Bars of credit/debit/declined totals per day, and the txn count on a second axis."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ConfigError("--chart needs matplotlib: pip install 'acme-txn[chart]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    dates = [r["date"] for r in rows]
    xs = list(range(len(dates)))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.5 * len(dates) + 3), 4.5))
    width = 0.27
    for offset, name, colour in (
        (-width, "credit_total", "tab:green"),
        (0.0, "debit_total", "tab:blue"),
        (width, "declined_total", "tab:red"),
    ):
        heights = [to_minor(Decimal(r[name])) for r in rows]  # exact integer cents
        ax.bar([x + offset for x in xs], heights, width, label=name, color=colour)
    # Axis ticks are labelled as decimal money strings from whole cents.
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_minor(round(v))))
    ax.set_ylabel("amount")
    ax.set_xticks(xs, dates, rotation=45, ha="right")
    counts = ax.twinx()
    counts.plot(xs, [r["txn_count"] for r in rows], "k.-", label="txn_count")
    counts.set_ylabel("transactions")
    counts.set_ylim(bottom=0)
    lines, labels = ax.get_legend_handles_labels()
    more_lines, more_labels = counts.get_legend_handles_labels()
    ax.legend(lines + more_lines, labels + more_labels, loc="upper left")
    ax.set_title(f"Daily totals {dates[0]} .. {dates[-1]}" if dates else "Daily totals")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
