"""Rendering of the analysts' report rows (``projections.reports``): text tables, CSV, and the
daily-totals chart (matplotlib, an optional extra). Money stays decimal strings and integer
cents throughout, never floats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from acme_base.errors import ConfigError
from processor.money import format_minor, to_minor
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
