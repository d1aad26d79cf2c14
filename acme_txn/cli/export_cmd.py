"""`acme-txn export DATASET... --from D1 --to D2 --format parquet|csv|jsonl --out DIR`.

Page by page with a progress line on stderr, resumable (``acme_txn.exporting``): run it again
with the same arguments after an interruption and it continues after the last page written.
Each page is a part file under ``DIR/<dataset>/``; ``--single-file`` also joins them into
``DIR/<dataset>.<ext>``.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

from acme_txn.cli.context import Context
from acme_txn.cli.progress import progress
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
    export.add_argument(
        "--single-file",
        action="store_true",
        help="also write each dataset as one file DIR/<dataset>.<ext> (the part files under "
        "DIR/<dataset>/ are the pages an interrupted export resumes after)",
    )
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
    rows: dict[str, int] = {}
    exporter.progress = rows.__setitem__
    shown = io.StringIO() if args.no_progress else sys.stderr  # a StringIO is no terminal
    text = lambda: ", ".join(f"{n} {c} rows" for n, c in rows.items()) or "starting"  # noqa: E731
    with progress("export", text, stream=shown):
        summary = exporter.run(list(args.datasets))
    if args.single_file:
        for name, path in exporter.combine(list(args.datasets)).items():
            if "rows" in summary[name]:
                summary[name]["file"] = path
    for name in summary:
        summary[name] = {**summary[name], **export_source(ctx, name)}
    human = "\n".join(
        f"{name}: "
        + (f"{s['rows']} rows in {s.get('file') or s['dir']}" if "rows" in s else s["skipped"])
        + f" (source: {s['source']}, {s['freshness']})"
        for name, s in summary.items()
    )
    ctx.emit({"out": str(args.out), "format": args.format, "datasets": summary}, human)
    return 0
