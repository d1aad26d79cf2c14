"""`acme-txn status [--json] [--watch SECONDS]`: the operator's view of the pipeline.

Per stream consumer (the projections, the fraud rules and the loyalty/budget apps): each
shard's checkpoint, lease holder and expiry, records behind and iterator age, dead letters
by reason; the projection lag in seconds; the tables' item counts and sizes from
DescribeTable (DynamoDB refreshes those about every six hours, so they are cheap and
approximate). Retries in flight live inside a running poller: its metric log lines
(``streams.metrics_log``) carry them.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from acme_base.aws import call
from acme_base.errors import AcmeError
from acme_base.tables import all_specs
from acme_txn.cli.context import Context
from acme_txn.freshness import projection_lag


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    status = sub.add_parser(
        "status", parents=[common], help="stream consumers' lag, leases, dead letters; tables"
    )
    status.add_argument(
        "--watch",
        type=float,
        nargs="?",
        const=2.0,
        metavar="SECONDS",
        help="refresh in place every SECONDS (default 2) until Ctrl-C",
    )
    status.set_defaults(func=cmd_status)


def _tables(ctx: Context) -> list[dict[str, Any]]:
    rows = []
    for spec in all_specs(ctx.settings):
        try:
            table = call(
                f"describe table {spec.name}", ctx.dynamodb.describe_table, TableName=spec.name
            )["Table"]
        except AcmeError:
            rows.append({"table": spec.name, "exists": False})
            continue
        rows.append(
            {
                "table": spec.name,
                "exists": True,
                "items": table.get("ItemCount"),
                "bytes": table.get("TableSizeBytes"),
            }
        )
    return rows


def status_data(ctx: Context) -> dict[str, Any]:
    consumers = []
    options = ctx.app.options
    names = (options.consumer.consumer, options.fraud_consumer.consumer)
    for name in (*names, options.apps_consumer.consumer):
        lag = projection_lag(ctx.app, name)
        consumers.append(lag.to_json() if lag else {"consumer": name, "known": False})
    projection = consumers[0]
    return {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "projection_lag_seconds": projection.get("lag_seconds"),
        "consumers": consumers,
        "tables": _tables(ctx),
    }


def _seconds(value: float | None) -> str:
    return "unknown" if value is None else f"{value}s"


def _checkpoint(value: str | None) -> str:
    """The checkpoint's tail, or "none yet" before the consumer's first batch."""
    return "none yet" if value is None else str(value)[-12:]


def _lease(shard: dict[str, Any]) -> str:
    """Who holds the shard's lease and for how long ("free" once no poller holds it)."""
    if not shard["lease_owner"]:
        return "free"
    dead = ", holder DEAD: `--until-idle` takes it over" if shard.get("lease_holder_dead") else ""
    return f"{shard['lease_owner']} ({_seconds(shard['lease_expires_in_s'])} left{dead})"


def status_text(data: dict[str, Any]) -> str:
    lines = [f"status at {data['at']}  projection lag {_seconds(data['projection_lag_seconds'])}"]
    for c in data["consumers"]:
        if not c.get("stream"):
            lines.append(f"consumer {c['consumer']}: unknown (no ledger stream)")
            continue
        letters = ", ".join(f"{k} {v}" for k, v in c["dead_letters"].items()) or "none"
        lines.append(
            f"consumer {c['consumer']}: {c['records_behind']} records behind, "
            f"lag {_seconds(c['lag_seconds'])}, dead letters: {letters}"
        )
        lines += [
            f"  {s['shard_id'][-24:]:<24} checkpoint {_checkpoint(s['checkpoint']):>12} "
            f"behind {s['records_behind']:>6} age {_seconds(s['iterator_age_s'])} "
            f"lease {_lease(s)}" + (" finished" if s["finished"] else "")
            for s in c["shards"]
        ]
    lines += [
        f"table {t['table']}: "
        + (f"{t['items']} items, {t['bytes']} bytes" if t["exists"] else "missing")
        for t in data["tables"]
    ]
    return "\n".join(lines)


def cmd_status(ctx: Context) -> int:
    if ctx.args.watch is None:
        data = status_data(ctx)
        ctx.emit(data, status_text(data))
        return 0
    return _watch(ctx, max(0.5, ctx.args.watch))


def _watch(ctx: Context, every: float) -> int:
    """Refresh in place with rich's Live display (plain text inside it)."""
    from rich.live import Live
    from rich.text import Text

    with Live(Text(status_text(status_data(ctx))), auto_refresh=False) as live:
        while True:
            time.sleep(every)
            live.update(Text(status_text(status_data(ctx))), refresh=True)
