"""`acme-txn project` (the stream consumers) and `acme-txn dlq list|redrive`."""

from __future__ import annotations

import argparse
import json
import signal
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from acme_base.errors import InvalidInput
from acme_txn.bootstrap import PROJECTION_CONSUMER, Options
from acme_txn.cli.context import Context, err
from acme_txn.cli.progress import progress
from acme_txn.cli.rebuild_cmd import run_rebuild
from acme_txn.options import add_arguments
from projections.rebuild import plan_rebuild
from streams.handlers import CountingMetrics
from streams.poller import Poller
from streams.state import live_leases


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "project",
        parents=[common],
        help="the same as `consume projections`",
    )
    add_project_arguments(p)
    register_dlq(sub, common)


def add_project_arguments(p: Any) -> None:
    """`consume projections` (and its older name `project`)."""
    p.add_argument(
        "--until-idle",
        action="store_true",
        help="drain the stream, then exit (default: run until SIGTERM/SIGINT)",
    )
    p.add_argument("--max-seconds", type=float, help="stop after this long in any case")
    p.add_argument(
        "--force",
        action="store_true",
        help="with --rebuild: go ahead even if a poller holds shard leases",
    )
    p.add_argument(
        "--rebuild",
        metavar="NAME",
        help="drop and rebuild projection NAME from the event log, then compare",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="with --rebuild: report what would be dropped and replayed, and write nothing",
    )
    add_arguments(p.add_argument_group("event source mapping"), "consumer", PROJECTION_CONSUMER)
    add_arguments(p.add_argument_group("projector"), "projector", Options().projector)
    p.set_defaults(func=cmd_project)


def register_dlq(sub: Any, common: argparse.ArgumentParser) -> None:
    dlq = sub.add_parser("dlq", help="dead letters of the stream consumers")
    dsub = dlq.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    lst = dsub.add_parser("list", parents=[common], help="list dead-lettered records")
    lst.add_argument("--consumer", help="consumer name (default projections)")
    lst.set_defaults(func=cmd_dlq_list)
    redrive = dsub.add_parser(
        "redrive", parents=[common], help="hand dead-lettered records to the projections again"
    )
    redrive.add_argument("--consumer", help="consumer name (default projections)")
    redrive.add_argument(
        "--key",
        action="append",
        default=[],
        help="only this dead letter (repeatable; see `dlq list`)",
    )
    redrive.add_argument("--batch-size", type=int, default=10)
    redrive.add_argument(
        "--dry-run",
        action="store_true",
        help="list the dead letters that would be redriven, and write nothing",
    )
    add_arguments(redrive.add_argument_group("projector"), "projector", Options().projector)
    redrive.set_defaults(func=cmd_dlq_redrive)


@contextmanager
def _stop_on_signals(poller: Poller) -> Iterator[None]:
    """SIGTERM/SIGINT: finish the batch in flight, checkpoint, release leases, exit 0."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    for s in previous:
        signal.signal(s, lambda *_: poller.stop())
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def consuming(poller: Poller, label: str) -> AbstractContextManager[None]:
    """Records delivered so far, on a terminal (``acme_txn.cli.progress``)."""
    return progress(label, lambda: f"{poller.stats.delivered} records delivered")


def _refuse_while_projecting(ctx: Context) -> None:
    """A rebuild replaces read models; a running poller would write into them meanwhile."""
    if ctx.args.force:
        return
    leases = live_leases(ctx.dynamodb, ctx.settings.streams_table)
    if leases:
        owners = sorted({lease.owner or "?" for lease in leases})
        raise InvalidInput(
            f"a stream consumer holds {len(leases)} live shard lease(s) (owner "
            f"{', '.join(owners)}): stop `acme-txn project` first (a crashed one's lease "
            "expires after --lease-seconds), or pass --force"
        )


def cmd_project(ctx: Context) -> int:
    if ctx.args.rebuild:
        if ctx.args.dry_run:
            plan = plan_rebuild(ctx.app.history, ctx.app.views, ctx.args.rebuild)
            ctx.emit(
                plan,
                f"dry run, nothing written: rebuilding {ctx.args.rebuild} would drop "
                f"{plan['items_to_drop']} items and replay {plan['events_to_replay']} events",
            )
            return 0
        _refuse_while_projecting(ctx)
        return run_rebuild(ctx, ctx.args.rebuild)
    if ctx.args.dry_run:
        raise InvalidInput("--dry-run goes with --rebuild (projecting only reads the stream)")
    cfg = ctx.options.consumer
    metrics = CountingMetrics()
    poller = ctx.app.poller(cfg, metrics=metrics)
    with _stop_on_signals(poller), consuming(poller, cfg.consumer):
        result = poller.run(until_idle=ctx.args.until_idle, max_seconds=ctx.args.max_seconds)
    data = {
        **result.as_dict(),
        "consumer": cfg.consumer,
        "metrics": {k: round(v, 1) for k, v in metrics.totals.items()},
        "max_iterator_age_ms": round(metrics.maxima.get("IteratorAgeMilliseconds", 0.0)),
    }
    ctx.emit(data, consumer_summary(cfg.consumer, result))
    return consumer_exit(cfg.consumer, result)


def consumer_summary(consumer: str, result: Any, extra: str = "") -> str:
    """One summary line for every consumer (`consume projections|fraud|apps`)."""
    s = result.stats
    return (
        f"{consumer}: {s.delivered} records delivered in {s.invocations} invocations,"
        f" {s.filtered} filtered out, {s.dead_lettered} dead-lettered{extra}"
        f"{' (idle)' if result.idle else ''}"
    )


def consumer_exit(consumer: str, result: Any) -> int:
    """1 when a run until idle ended blocked by a foreign lease, or records were
    dead-lettered (each said on stderr, with where to look); else 0."""
    code = 0
    if getattr(result, "blocked", None):
        err(
            result.blocked_message(consumer) + ": its holder still renews the lease (stop it, "
            "or run again once it has stopped)"
        )
        code = 1
    count = result.stats.dead_lettered
    if count:
        err(f"{count} records were dead-lettered: see `acme-txn dlq list --consumer {consumer}`")
        code = 1
    return code


def cmd_dlq_list(ctx: Context) -> int:
    letters = ctx.app.dead_letters(ctx.args.consumer).list()
    if not letters and ctx.output == "text":
        print(f"no dead letters for consumer {ctx.app.dead_letters(ctx.args.consumer).consumer!r}")
        return 0

    def line(row: Any) -> str:
        keys = {k: next(iter(v.values())) for k, v in (row["keys"] or {}).items()}
        return (
            f"{row['key']}  {row['condition']}  attempts={row['attempts']}  "
            f"{json.dumps(keys)}  {row['error']}"
        )

    ctx.emit_list([d.to_json() for d in letters], line)
    return 0


def cmd_dlq_redrive(ctx: Context) -> int:
    dlq = ctx.app.dead_letters(ctx.args.consumer)
    if ctx.args.dry_run:
        keys = ctx.args.key
        letters = [d for d in dlq.list() if not keys or d.key in keys]
        for d in letters:
            ctx.emit({**d.to_json(), "dry_run": True}, f"would redrive {d.key}  {d.error}")
        if not ctx.as_json:
            print(f"{len(letters)} dead letter(s) would be redriven (dry run: nothing written)")
        return 0
    handler = ctx.app.stream_handler(CountingMetrics())
    result = dlq.redrive(handler, batch_size=ctx.args.batch_size, keys=ctx.args.key)
    ctx.emit(
        {
            "redriven": result.redriven,
            "still_failing": result.still_failing,
            "errors": result.errors[:20],
        },
        f"redriven {result.redriven}, still failing {result.still_failing}",
    )
    return 1 if result.still_failing else 0
