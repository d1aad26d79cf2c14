"""`acme-txn project` (the stream consumers) and `acme-txn dlq list|redrive`."""

from __future__ import annotations

import argparse
import importlib.util
import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from acme_base.errors import InvalidInput
from acme_txn.cli.context import Context, err
from streams.config import EsmConfig
from streams.dlq import DeadLetters
from streams.filters import EVENTS_ONLY, FilterCriteria
from streams.handlers import CountingMetrics, StreamHandler, projector_sink
from streams.poller import Poller
from streams.runner import projection_poller
from streams.shards import LATEST, TRIM_HORIZON
from streams.state import live_leases

DEFAULT_CONSUMER = "projections"
CLI_MAX_RETRIES = 5  # Lambda's default is infinite; a drain must be able to end


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
    p.add_argument("--batch-size", type=int, default=100, help="BatchSize (default 100)")
    p.add_argument(
        "--batching-window",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="MaximumBatchingWindowInSeconds (default 0)",
    )
    p.add_argument(
        "--starting-position",
        choices=[TRIM_HORIZON, LATEST],
        default=TRIM_HORIZON,
        help="StartingPosition for a shard with no checkpoint",
    )
    p.add_argument(
        "--max-retries",
        type=int,
        default=CLI_MAX_RETRIES,
        help=f"MaximumRetryAttempts, -1 = infinite (default {CLI_MAX_RETRIES})",
    )
    p.add_argument(
        "--max-record-age",
        type=float,
        default=-1,
        metavar="SECONDS",
        help="MaximumRecordAgeInSeconds, -1 = infinite (default)",
    )
    p.add_argument(
        "--parallelization-factor",
        type=int,
        default=1,
        help="ParallelizationFactor 1..10 (order kept per partition key)",
    )
    p.add_argument(
        "--bisect",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="BisectBatchOnFunctionError (default on)",
    )
    p.add_argument(
        "--filter",
        metavar="JSON",
        help='FilterCriteria: a pattern, a list of patterns or {"Filters": ...} '
        "(default: txn events only, PK prefix ACCT# and SK prefix TXN#)",
    )
    p.add_argument(
        "--consumer",
        default=DEFAULT_CONSUMER,
        help="consumer name: its own checkpoints, leases and DLQ",
    )
    p.add_argument("--poll-interval", type=float, default=0.25, metavar="SECONDS")
    p.add_argument(
        "--idle-polls",
        type=int,
        default=2,
        metavar="N",
        help="with --until-idle: empty reads in a row before a shard counts as "
        "caught up (raise it on AWS, where new records take a moment to show)",
    )
    p.add_argument(
        "--lease-seconds",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="shard lease time: how soon a crashed poller's shards are taken over",
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
    p.set_defaults(func=cmd_project)

    dlq = sub.add_parser("dlq", help="dead letters of the stream consumers")
    dsub = dlq.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    lst = dsub.add_parser("list", parents=[common], help="list dead-lettered records")
    lst.add_argument("--consumer", default=DEFAULT_CONSUMER)
    lst.set_defaults(func=cmd_dlq_list)
    redrive = dsub.add_parser(
        "redrive", parents=[common], help="hand dead-lettered records to the projections again"
    )
    redrive.add_argument("--consumer", default=DEFAULT_CONSUMER)
    redrive.add_argument(
        "--key",
        action="append",
        default=[],
        help="only this dead letter (repeatable; see `dlq list`)",
    )
    redrive.add_argument("--batch-size", type=int, default=10)
    redrive.set_defaults(func=cmd_dlq_redrive)


def _config(args: argparse.Namespace) -> EsmConfig:
    filters = FilterCriteria.parse(args.filter) if args.filter else FilterCriteria([EVENTS_ONLY])
    return EsmConfig(
        consumer=args.consumer,
        batch_size=args.batch_size,
        batching_window=args.batching_window,
        starting_position=args.starting_position,
        max_retry_attempts=args.max_retries,
        max_record_age=args.max_record_age,
        bisect_on_error=args.bisect,
        parallelization_factor=args.parallelization_factor,
        filters=filters,
        poll_interval=args.poll_interval,
        lease_seconds=args.lease_seconds,
        idle_polls=args.idle_polls,
    )


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
        if importlib.util.find_spec("projections.rebuild") is None:
            raise InvalidInput("--rebuild needs the projections package (projections.rebuild)")
        from projections import rebuild as rebuild_module

        _refuse_while_projecting(ctx)
        return int(rebuild_module.rebuild(ctx, ctx.args.rebuild))
    cfg = _config(ctx.args)
    metrics = CountingMetrics()
    poller = projection_poller(
        ctx.settings, cfg, client=ctx.dynamodb, streams=ctx.streams, metrics=metrics
    )
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
    if s.dead_lettered:
        err(f"{s.dead_lettered} records were dead-lettered: see `acme-txn dlq list`")
        return 1
    return 0


def cmd_dlq_list(ctx: Context) -> int:
    letters = DeadLetters(ctx.dynamodb, ctx.settings.streams_table, ctx.args.consumer).list()
    for d in letters:
        keys = {k: next(iter(v.values())) for k, v in (d.to_json()["keys"] or {}).items()}
        ctx.emit(
            d.to_json(),
            f"{d.key}  {d.condition}  attempts={d.attempts}  {json.dumps(keys)}  {d.error}",
        )
    if not letters and not ctx.as_json:
        print(f"no dead letters for consumer {ctx.args.consumer!r}")
    return 0


def cmd_dlq_redrive(ctx: Context) -> int:
    handler = StreamHandler(projector_sink(ctx.dynamodb, ctx.settings), CountingMetrics())
    dlq = DeadLetters(ctx.dynamodb, ctx.settings.streams_table, ctx.args.consumer)
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
