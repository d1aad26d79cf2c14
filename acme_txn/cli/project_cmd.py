"""`acme-txn project` (the stream consumers) and `acme-txn dlq list|redrive`."""

from __future__ import annotations

import argparse
import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from acme_base.errors import InvalidInput
from acme_txn.bootstrap import PROJECTION_CONSUMER, Options
from acme_txn.cli.context import Context, err
from acme_txn.cli.rebuild_cmd import run_rebuild
from acme_txn.options import add_arguments
from streams.handlers import CountingMetrics
from streams.poller import Poller, RunResult
from streams.state import live_leases


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "project",
        parents=[common],
        help="run the stream consumers (projections) with Lambda ESM semantics",
    )
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
    add_arguments(p.add_argument_group("event source mapping"), "consumer", PROJECTION_CONSUMER)
    add_arguments(p.add_argument_group("projector"), "projector", Options().projector)
    p.set_defaults(func=cmd_project)

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


def consumer_exit(result: RunResult, consumer: str, dlq_hint: str) -> int:
    """1 when a run until idle ended blocked by a foreign lease, or records were
    dead-lettered (each said on stderr); else 0."""
    code = 0
    if result.blocked:
        err(
            result.blocked_message(consumer) + ": its holder still renews the lease (stop it, "
            "or run again once it has stopped)"
        )
        code = 1
    if result.stats.dead_lettered:
        err(f"{result.stats.dead_lettered} records were dead-lettered: see `{dlq_hint}`")
        code = 1
    return code


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
        _refuse_while_projecting(ctx)
        return run_rebuild(ctx, ctx.args.rebuild)
    cfg = ctx.options.consumer
    metrics = CountingMetrics()
    poller = ctx.app.poller(cfg, metrics=metrics)
    with _stop_on_signals(poller):
        result = poller.run(until_idle=ctx.args.until_idle, max_seconds=ctx.args.max_seconds)
    data = {
        **result.as_dict(),
        "consumer": cfg.consumer,
        "metrics": {k: round(v, 1) for k, v in metrics.totals.items()},
        "max_iterator_age_ms": round(metrics.maxima.get("IteratorAgeMilliseconds", 0.0)),
    }
    s = result.stats
    human = (
        f"{cfg.consumer}: {s.delivered} records delivered in {s.invocations} invocations,"
        f" {s.filtered} filtered out, {s.dead_lettered} dead-lettered"
        f"{' (idle)' if result.idle else ''}"
    )
    ctx.emit(data, human)
    return consumer_exit(result, cfg.consumer, "acme-txn dlq list")


def cmd_dlq_list(ctx: Context) -> int:
    letters = ctx.app.dead_letters(ctx.args.consumer).list()
    for d in letters:
        keys = {k: next(iter(v.values())) for k, v in (d.to_json()["keys"] or {}).items()}
        ctx.emit(
            d.to_json(),
            f"{d.key}  {d.condition}  attempts={d.attempts}  {json.dumps(keys)}  {d.error}",
        )
    if not letters and not ctx.as_json:
        print(f"no dead letters for consumer {ctx.app.dead_letters(ctx.args.consumer).consumer!r}")
    return 0


def cmd_dlq_redrive(ctx: Context) -> int:
    handler = ctx.app.stream_handler(CountingMetrics())
    dlq = ctx.app.dead_letters(ctx.args.consumer)
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
