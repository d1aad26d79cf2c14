"""`acme-txn local start|stop|status`: an embedded DynamoDB Local in the background."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from acme_txn.backend import dynamodb_local as ddb_local
from acme_txn.cli.context import Context

EXIT_NOT_RUNNING = 1


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    local = sub.add_parser("local", help="embedded DynamoDB Local in the background")
    actions = local.add_subparsers(dest="action", required=True, metavar="ACTION")
    start = actions.add_parser("start", parents=[common], help="start it (idempotent)")
    start.add_argument("--port", type=int, help="port (default: a free one)")
    start.add_argument("--data-dir", type=Path, help="persist here (default: in memory)")
    start.set_defaults(func=cmd_start)
    stop = actions.add_parser("stop", parents=[common], help="stop it")
    stop.set_defaults(func=cmd_stop)
    status = actions.add_parser("status", parents=[common], help="is it running?")
    status.set_defaults(func=cmd_status)


def _describe(server: ddb_local.LocalServer) -> dict[str, Any]:
    return {"endpoint": server.endpoint, "pid": server.pid, "data_dir": server.data_dir}


def cmd_start(ctx: Context) -> int:
    state_dir = ctx.settings.state_dir
    server = ddb_local.running_server(state_dir)
    if server is None:
        server = ddb_local.start(state_dir, port=ctx.args.port, data_dir=ctx.args.data_dir)
        ddb_local.save_state(state_dir, server)
        verb = "started"
    else:
        verb = "already running"
    ctx.emit(
        _describe(server),
        f"DynamoDB Local {verb} at {server.endpoint} "
        f"(pid {server.pid}, data {server.data_dir or 'in memory'})",
    )
    return 0


def cmd_stop(ctx: Context) -> int:
    state_dir = ctx.settings.state_dir
    server = ddb_local.load_state(state_dir)
    if server is not None and ddb_local.pid_alive(server.pid):
        ddb_local.stop(server)
        ctx.emit({"stopped": True, "pid": server.pid}, f"stopped pid {server.pid}")
    else:
        ctx.emit({"stopped": False}, "no local backend was running")
    ddb_local.clear_state(state_dir)
    return 0


def cmd_status(ctx: Context) -> int:
    server = ddb_local.running_server(ctx.settings.state_dir)
    if server is None:
        ctx.emit({"running": False}, "not running")
        return EXIT_NOT_RUNNING
    ctx.emit(
        {"running": True, **_describe(server)}, f"running at {server.endpoint} (pid {server.pid})"
    )
    return 0
