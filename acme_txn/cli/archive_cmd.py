"""`acme-txn archive [--before DATE] [--force] [--account A]...`: move events older than the
retention (7 years) from the ledger to the archive table (``processor.services.archiver``)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from acme_txn.cli.context import Context
from processor.domain.archive import RETENTION_YEARS, parse_cut


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    archive = sub.add_parser(
        "archive",
        parents=[common],
        help=f"move events older than {RETENTION_YEARS} years to the archive table",
    )
    archive.add_argument(
        "--before",
        metavar="DATE",
        help=f"archive events recorded before DATE (YYYY-MM-DD; default: today minus "
        f"{RETENTION_YEARS} years)",
    )
    archive.add_argument(
        "--force",
        action="store_true",
        help=f"allow a DATE less than {RETENTION_YEARS} years ago",
    )
    archive.add_argument(
        "--account",
        action="append",
        metavar="ACCOUNT",
        help="only this account (repeatable; default: every account with old events)",
    )
    archive.add_argument(
        "--dry-run",
        action="store_true",
        help="report what would be archived, and write nothing",
    )
    archive.set_defaults(func=cmd_archive)


def cmd_archive(ctx: Context) -> int:
    before = parse_cut(ctx.args.before, datetime.now(UTC).date(), ctx.args.force)
    report = ctx.app.archiver.run(before, ctx.args.account, dry_run=ctx.args.dry_run)
    data = report.as_dict()
    lines = [
        ("dry run, nothing written: would archive" if report.dry_run else "archived")
        + f" events before {data['before']}: {data['accounts_archived']} of "
        f"{data['accounts_scanned']} accounts, {data['events_written_to_archive']} events "
        f"written to the archive, {data['live_items_removed']} live items replaced by "
        f"snapshots in {data['transactions']} transactions"
    ]
    lines += [
        f"  {a['account_id']}: events 0..{a['seq']} archived, balance {a['balance']} "
        f"{a['currency']} carried by the snapshot at seq {a['seq']}"
        for a in data["accounts"]
    ]
    lines += [f"  FAILED {f['account_id']}: {f['error']}" for f in data["failed"]]
    ctx.emit(data, "\n".join(lines))
    return 0 if report.ok else 1
