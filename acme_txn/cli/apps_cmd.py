"""`acme-txn apps run`: the applications' stream consumer (loyalty and budget views, budget
notifications), run like `fraud run`: its own consumer name (``apps``), checkpoints and
leases, so it drains, restarts and is SIGKILLed independently of the other consumers."""

from __future__ import annotations

import argparse
import os
from typing import Any

from acme_txn.bootstrap import APPS_CONSUMER
from acme_txn.cli.context import Context
from acme_txn.cli.project_cmd import (
    _stop_on_signals,
    consumer_exit,
    consumer_summary,
    consuming,
)
from acme_txn.options import add_arguments, from_args, from_env


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    apps = sub.add_parser("apps", help="the loyalty and budget applications' stream consumer")
    kinds = apps.add_subparsers(dest="apps_cmd", required=True, metavar="ACTION")
    run = kinds.add_parser("run", parents=[common], help="the same as `consume apps`")
    add_run_arguments(run)


def add_run_arguments(run: Any) -> None:
    """`consume apps` (and its older name `apps run`)."""
    run.add_argument("--until-idle", action="store_true", help="drain the stream, then exit")
    run.add_argument("--max-seconds", type=float, help="stop after this long in any case")
    add_arguments(run.add_argument_group("event source mapping"), "apps", APPS_CONSUMER)
    run.set_defaults(func=cmd_run)


def cmd_run(ctx: Context) -> int:
    """Flags over ``ACME_APPS_CONSUMER_*`` over ``APPS_CONSUMER``."""
    cfg = from_args(ctx.args, "apps", from_env(os.environ, "apps_consumer", APPS_CONSUMER))
    poller = ctx.app.apps_poller(cfg)
    with _stop_on_signals(poller), consuming(poller, cfg.consumer):
        result = poller.run(until_idle=ctx.args.until_idle, max_seconds=ctx.args.max_seconds)
    ctx.emit({**result.as_dict(), "consumer": cfg.consumer}, consumer_summary(cfg.consumer, result))
    return consumer_exit(cfg.consumer, result)
