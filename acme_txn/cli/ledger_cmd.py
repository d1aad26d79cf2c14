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
from processor.domain.outcomes import Outcome
from processor.services.ordering import keys_of, ordered_map

EXIT_BAD_INPUT = 2
SUBMIT_EXAMPLES = """command lines, for example:
  {"type":"register_customer","customer_id":"C1","name":"Ada Li","phone":"+12125550123",
   "state":"NY","special_status":[]}
  {"type":"open_account","account_id":"A1","customer_id":"C1","currency":"USD"}
  {"type":"credit","txn_id":"T1","account_id":"A1","amount":"100.00"}
  {"type":"debit","txn_id":"T2","account_id":"A1","amount":"30.50"}
  {"type":"transfer","txn_id":"T3","from_account":"A1","to_account":"A2","amount":"5.00"}
also: block_account, unblock_account, set_limits, close_account, pending transfers and holds
("pending": true), post_pending, void_pending, linked, create_offer, send_offer,
respond_offer, update_customer (one per line; see docs/commands.md)"""
OUTCOME_COLUMNS = ("txn_id", "status", "reason", "error", "account_id", "balance_after")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    init = sub.add_parser("init", parents=[common], help="create or verify the tables")
    init.set_defaults(func=cmd_init)
    submit = sub.add_parser(
        "submit",
        parents=[common],
        help="JSON lines of commands in, JSON lines of outcomes out",
        description="Read one command per line (JSON), print one outcome per line, in input "
        "order. Every command type, outcome and decline reason: docs/commands.md.",
        epilog=SUBMIT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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


def _lines(stream: TextIO) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their 1-based line number in the input, without their line end
    (the decoder reads the line as the HTTP API reads a body: same size, same positions)."""
    for number, line in enumerate(stream, start=1):
        if line.strip():
            yield number, line.rstrip("\r\n")


def _answer(number: int, outcome: Outcome) -> dict[str, Any]:
    """The outcome; a rejected one names its input line (``input_line``, and in ``error``)."""
    data = outcome.to_json_dict()
    if outcome.status == "rejected":
        data["input_line"] = number
        data["error"] = f"input line {number}: {data.get('error', 'rejected')}"
    return data


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
    collected: list[dict[str, Any]] = []  # json, table, csv: one answer at the end
    streamed = ctx.output in ("text", "jsonl")
    try:
        with ThreadPoolExecutor(max_workers=ctx.args.workers) as pool:
            # one account's lines in input order, other accounts concurrently (issue 11)
            def run(item: tuple[int, str]) -> tuple[int, Outcome]:
                return item[0], ledger.submit_raw(item[1])

            lines = _lines(stream)
            for number, outcome in ordered_map(pool, run, lines, lambda item: keys_of(item[1])):
                if outcome.status in counts:
                    counts[outcome.status] += 1
                if streamed:
                    print(json.dumps(_answer(number, outcome)), flush=True)
                else:
                    collected.append(_answer(number, outcome))
    finally:
        if stream is not sys.stdin:
            stream.close()
    if not streamed:
        ctx.emit_list(collected, columns=OUTCOME_COLUMNS)
    if counts["failed"]:
        return 1
    return EXIT_BAD_INPUT if counts["rejected"] else 0
