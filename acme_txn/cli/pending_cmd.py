"""`acme-txn expire-pending [--now TIME] [--dry-run]`: the pending sweeper.

It records ``PendingExpired`` for every expired, unresolved pending; it never changes an
outcome (an expired pending already counts as released and can no longer be posted), and a
second run writes nothing. On AWS a scheduled rule calls ``acme_txn.lambda_handlers``'s
``expire_pending_handler``, the same ``Ledger.expire_pending``.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from acme_base.errors import InvalidInput
from acme_txn.cli.context import Context


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    expire = sub.add_parser(
        "expire-pending",
        parents=[common],
        help="record PendingExpired for every expired, unresolved pending transfer or hold",
    )
    expire.add_argument(
        "--now", help="the sweep's instant (ISO time with a zone; default: the clock)"
    )
    expire.add_argument(
        "--force",
        action="store_true",
        help="allow a --now after the ledger's clock (expires pendings early)",
    )
    expire.add_argument(
        "--dry-run",
        action="store_true",
        help="list the pendings a sweep would expire, and write nothing",
    )
    expire.add_argument(
        "--scan",
        action="store_true",
        help="search the whole log instead of the expiry index (once, for pendings placed "
        "before the index existed)",
    )
    expire.set_defaults(func=cmd_expire_pending)


def parse_now(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        instant = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(f"--now {text!r} is not an ISO time with a zone") from exc
    if instant.tzinfo is None:
        raise InvalidInput(f"--now {text!r} has no zone (add Z or +00:00)")
    return instant.astimezone(UTC)


def cmd_expire_pending(ctx: Context) -> int:
    now, ledger = parse_now(ctx.args.now), ctx.app.ledger
    if ctx.args.dry_run:
        candidates = ledger.expiry_candidates(now, scan=ctx.args.scan, force=ctx.args.force)
        plan = [
            {"pending_txn_id": pending, "accounts": list(accounts), "dry_run": True}
            for pending, accounts in candidates
        ]
        ctx.emit_list(
            plan, lambda d: f"would expire {d['pending_txn_id']} on " + ", ".join(d["accounts"])
        )
        if ctx.output == "text":
            print(f"{len(candidates)} pending(s) would expire (dry run: nothing written)")
        return 0
    outcomes = ledger.expire_pending(now, scan=ctx.args.scan, force=ctx.args.force)
    rows = [outcome.to_json_dict() for outcome in outcomes]
    ctx.emit_list(rows, lambda d: f"expired {d['pending_txn_id']} on {d['account_id']}")
    if ctx.output == "text":
        print(f"{len(outcomes)} pending(s) expired", flush=True)
    return 0
