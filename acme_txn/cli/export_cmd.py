"""`acme-txn export DATASET... --from D1 --to D2 --format parquet|csv|jsonl --out DIR`.

Page by page with a progress line on stderr, resumable (``acme_txn.exporting``): run it again
with the same arguments after an interruption and it continues after the last page written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from acme_txn.cli.context import Context
from acme_txn.exporting import DATASETS, FORMATS, Exporter
from acme_txn.freshness import describe, projection_lag


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    export = sub.add_parser(
        "export", parents=[common], help="datasets for SQL: Parquet, CSV or JSON lines"
    )
    export.add_argument("datasets", nargs="+", metavar="|".join(DATASETS))
    export.add_argument("--from", dest="date_from", required=True)
    export.add_argument("--to", dest="date_to", required=True)
    export.add_argument("--format", choices=FORMATS, default="parquet")
    export.add_argument("--out", type=Path, required=True, help="the output directory")
    export.add_argument("--no-progress", action="store_true", help="no progress bar")
    export.set_defaults(func=cmd_export)


#: the datasets read from the ledger (the event log: always current); the others from views
LEDGER_DATASETS = ("events", "balances", "declined")


def export_source(ctx: Context, name: str) -> dict[str, str]:
    """Which source a dataset was read from and how fresh it is."""
    if name in LEDGER_DATASETS:
        return {"source": "ledger", "freshness": "current (the event log itself)"}
    if name == "daily":
        return {"source": "projection", "freshness": describe(projection_lag(ctx.app))}
    return {"source": "fraud alerts", "freshness": "as the fraud consumer left them"}


def cmd_export(ctx: Context) -> int:
    args = ctx.args
    exporter = Exporter(ctx.app, args.out, args.date_from, args.date_to, args.format)
    if args.no_progress or ctx.as_json:
        summary = exporter.run(list(args.datasets))
    else:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn

        columns = (SpinnerColumn(), TextColumn("{task.description}: {task.completed} rows"))
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            tasks: dict[str, Any] = {}

            def progress(name: str, rows: int) -> None:
                if name not in tasks:
                    tasks[name] = bar.add_task(name, total=None)
                bar.update(tasks[name], completed=rows)

            exporter.progress = progress
            summary = exporter.run(list(args.datasets))
    for name in summary:
        summary[name] = {**summary[name], **export_source(ctx, name)}
    human = "\n".join(
        f"{name}: "
        + (f"{s['rows']} rows in {s['dir']}" if "rows" in s else s["skipped"])
        + f" (source: {s['source']}, {s['freshness']})"
        for name, s in summary.items()
    )
    ctx.emit({"out": str(args.out), "format": args.format, "datasets": summary}, human)
    return 0
