"""Rendering of the analysts' report rows (``projections.reports``): text tables, CSV, and the
daily-totals chart (matplotlib, an optional extra; one panel per currency). Money stays
decimal strings and integer minor units throughout, never floats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from acme_base.errors import ConfigError
from processor.domain.currency import DEFAULT_CURRENCY
from processor.domain.money import format_minor, to_minor
from projections.model import MONEY_FIELDS


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


def declined_rate(row: dict[str, Any]) -> float:
    """The day's declined share of its transactions, in percent (0 on a day without any)."""
    count = int(row.get("txn_count") or 0)
    return 100.0 * int(row.get("declined_count") or 0) / count if count else 0.0


def by_currency(rows: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The daily rows of each currency (rows without one are USD, the default)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(str(row.get("currency") or DEFAULT_CURRENCY), []).append(row)
    return out


def draw_chart(rows: Sequence[dict[str, Any]], path: Path) -> Path:
    """One panel per currency (amounts of two currencies never share an axis): bars of the
    credit/debit/declined totals per day in that currency's minor units, labelled in its
    exponent, and the declined rate on a second axis."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ConfigError("--chart needs matplotlib: pip install 'acme-txn[chart]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dates = sorted({str(r["date"]) for r in rows})
    groups = by_currency(rows) or {DEFAULT_CURRENCY: []}
    width = max(6.0, 0.5 * len(dates) + 3)
    fig, axes = plt.subplots(len(groups), 1, figsize=(width, 4.5 * len(groups)), squeeze=False)
    for ax, (code, series) in zip(axes[:, 0], sorted(groups.items()), strict=True):
        _panel(ax, code, dates, series)
    span = f" {dates[0]} .. {dates[-1]}" if dates else ""
    fig.suptitle(f"Daily totals{span}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _panel(ax: Any, currency: str, dates: list[str], rows: list[dict[str, Any]]) -> None:
    """One currency's bars and declined rate (a day without activity in it: zero)."""
    from matplotlib.ticker import FuncFormatter

    by_date = {str(r["date"]): r for r in rows}
    xs = list(range(len(dates)))
    bar = 0.27
    for offset, name, colour in (
        (-bar, "credit_total", "tab:green"),
        (0.0, "debit_total", "tab:blue"),
        (bar, "declined_total", "tab:red"),
    ):
        heights = [  # exact integer minor units of this currency
            to_minor(Decimal(str(by_date[d][name])), currency) if d in by_date else 0 for d in dates
        ]
        ax.bar([x + offset for x in xs], heights, bar, label=name, color=colour)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_minor(round(v), currency)))
    ax.set_ylabel(f"amount ({currency})")
    ax.set_xticks(xs, dates, rotation=45, ha="right")
    rate = ax.twinx()  # the declined rate: declines / transactions of the day, in %
    rate.plot(xs, [declined_rate(by_date.get(d, {})) for d in dates], "k.-", label="declined %")
    rate.set_ylabel("declined rate (%)")
    rate.set_ylim(bottom=0, top=100)
    lines, labels = ax.get_legend_handles_labels()
    more_lines, more_labels = rate.get_legend_handles_labels()
    ax.legend(lines + more_lines, labels + more_labels, loc="upper left")
    ax.set_title(currency)
