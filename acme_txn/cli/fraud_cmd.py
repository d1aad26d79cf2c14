"""`acme-txn fraud run|seed|score`: the fraud consumer, its demo data, its precision."""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections import Counter
from typing import Any

from acme_base.errors import InvalidInput
from acme_txn.bootstrap import FRAUD_CONSUMER, App
from acme_txn.cli.context import Context
from acme_txn.cli.progress import progress
from acme_txn.cli.project_cmd import (
    _stop_on_signals,
    consumer_exit,
    consumer_summary,
    consuming,
)
from acme_txn.fraud_demo import fraud_history, planted_accounts, replay, score
from acme_txn.options import add_arguments, from_args, from_env
from projections.fraud.config import rules_from_env
from projections.reports import date_range


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    fraud = sub.add_parser("fraud", help="the fraud rules' stream consumer and its demo data")
    kinds = fraud.add_subparsers(dest="fraud", required=True, metavar="ACTION")
    run = kinds.add_parser("run", parents=[common], help="the same as `consume fraud`")
    add_run_arguments(run)
    register_seed_score(kinds, common)


def add_run_arguments(run: Any) -> None:
    """`consume fraud` (and its older name `fraud run`)."""
    run.add_argument("--until-idle", action="store_true", help="drain the stream, then exit")
    run.add_argument("--max-seconds", type=float, help="stop after this long in any case")
    run.add_argument("--rules", help="rules file, TOML or JSON (default: ACME_FRAUD_RULES)")
    add_arguments(run.add_argument_group("event source mapping"), "fraud", FRAUD_CONSUMER)
    run.set_defaults(func=cmd_run)


def register_seed_score(kinds: Any, common: argparse.ArgumentParser) -> None:
    seed = kinds.add_parser(
        "seed", parents=[common], help="submit demo data with planted fraud patterns"
    )
    seed.add_argument("--normal", type=int, default=20, help="quiet accounts (8..500)")
    seed.add_argument("--planted", type=int, default=2, help="accounts per rule (1..50)")
    seed.add_argument("--seed", type=int, default=7)
    seed.set_defaults(func=cmd_seed)
    sc = kinds.add_parser(
        "score", parents=[common], help="the rules' precision and recall on the demo data"
    )
    sc.add_argument("--from", dest="date_from", required=True)
    sc.add_argument("--to", dest="date_to", required=True)
    sc.add_argument("--planted", type=int, default=2, help="accounts per rule, as seeded")
    sc.set_defaults(func=cmd_score)


def fraud_app(ctx: Context) -> App:
    """The app with the fraud consumer's options: flags over ``ACME_FRAUD_CONSUMER_*`` over
    ``FRAUD_CONSUMER``; the rules from ``--rules`` or ``ACME_FRAUD_RULES``."""
    env_consumer = from_env(os.environ, "fraud_consumer", FRAUD_CONSUMER)
    options = dataclasses.replace(
        ctx.options,
        fraud_consumer=from_args(ctx.args, "fraud", env_consumer),
        fraud_rules=rules_from_env(os.environ, getattr(ctx.args, "rules", None)),
    )
    return ctx.app_with(options)


def cmd_run(ctx: Context) -> int:
    app = fraud_app(ctx)
    poller = app.fraud_poller()
    with _stop_on_signals(poller), consuming(poller, "fraud"):
        result = poller.run(until_idle=ctx.args.until_idle, max_seconds=ctx.args.max_seconds)
    engine = app.fraud_engine
    data = {
        **result.as_dict(),
        "consumer": app.options.fraud_consumer.consumer,
        "alerts_raised": engine.raised,
        "alerts_repeated": engine.repeated,
    }
    extra = f", {engine.raised} new alerts ({engine.repeated} seen before)"
    ctx.emit(data, consumer_summary(str(data["consumer"]), result, extra))
    return consumer_exit(str(data["consumer"]), result)


def cmd_seed(ctx: Context) -> int:
    args = ctx.args
    if not (8 <= args.normal <= 500 and 1 <= args.planted <= 50):
        raise InvalidInput("--normal must be 8..500 and --planted 1..50")
    commands, truth = fraud_history(args.seed, args.normal, args.planted)
    with progress("fraud seed", lambda: f"{len(commands)} commands, each at its own time"):
        outcomes = replay(ctx.app.new_ledger, commands)  # each recorded when it happened
    statuses = Counter(o.status for o in outcomes)
    data = {"commands": len(commands), "outcomes": dict(statuses), "planted": truth}
    ctx.emit(data, f"{len(commands)} commands: {dict(statuses)}; {len(truth)} planted accounts")
    bad = statuses.get("rejected", 0) + statuses.get("failed", 0)
    return 1 if bad else 0


def cmd_score(ctx: Context) -> int:
    days = date_range(ctx.args.date_from, ctx.args.date_to)
    truth = planted_accounts(ctx.args.planted)
    result = score(ctx.app.fraud_store.alerts(days), truth)
    human = (
        f"{result['alerts']} alerts, {result['true_alerts']} on a planted pattern: precision "
        f"{result['precision']}, recall {result['recall']} of {result['planted']} planted"
    )
    ctx.emit(result, human)
    return 0
