"""`acme-txn init` and `acme-txn submit`: create tables, feed commands to the ledger."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TextIO

from acme_base.errors import InvalidInput
from acme_txn.bootstrap import Options
from acme_txn.cli.context import Context
from acme_txn.options import add_arguments
from processor.ordering import keys_of, ordered_map

EXIT_BAD_INPUT = 2


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    init = sub.add_parser("init", parents=[common], help="create or verify the tables")
    init.set_defaults(func=cmd_init)
    submit = sub.add_parser(
        "submit", parents=[common], help="JSON lines of commands in, JSON lines of outcomes out"
    )
    submit.add_argument("file", help="a file of JSON lines, or - for standard input")
    submit.add_argument(
        "--workers",
        type=int,
        default=1,
        help="commands processed concurrently (default 1); one account's commands always "
        "run in input order",
    )
    add_arguments(submit.add_argument_group("ledger"), "ledger", Options().ledger)
    submit.set_defaults(func=cmd_submit)


def cmd_init(ctx: Context) -> int:
    result = ctx.app.ensure_tables()
    ctx.emit({"tables": result}, "\n".join(f"{name}: {status}" for name, status in result.items()))
    return 0


def _lines(stream: TextIO) -> Iterator[str]:
    for line in stream:
        if line.strip():
            yield line


def _open_input(path: str) -> TextIO:
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from exc


def cmd_submit(ctx: Context) -> int:
    if ctx.args.workers < 1 or ctx.args.workers > 64:
        raise InvalidInput("--workers must be between 1 and 64")
    ledger = ctx.app.ledger
    stream = _open_input(ctx.args.file)
    counts = {"rejected": 0, "failed": 0}
    try:
        with ThreadPoolExecutor(max_workers=ctx.args.workers) as pool:
            # one account's lines in input order, other accounts concurrently (issue 11)
            for outcome in ordered_map(pool, ledger.submit_raw, _lines(stream), keys_of):
                if outcome.status in counts:
                    counts[outcome.status] += 1
                print(json.dumps(outcome.to_json_dict()), flush=True)
    finally:
        if stream is not sys.stdin:
            stream.close()
    if counts["failed"]:
        return 1
    return EXIT_BAD_INPUT if counts["rejected"] else 0
