"""Entry point: parse arguments, build the context once, dispatch, map errors to exit codes.

Answering at once: ``COMMANDS`` names every command with its module and one-line help, so
``acme-txn --help`` and a mistyped command import no command module, and a command imports
only its own module (and what that module needs) when it runs. A test holds ``COMMANDS`` to
what the modules register.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
from collections.abc import Iterator, Sequence
from importlib import import_module
from typing import NoReturn

from acme_txn.cli.output import add_output_options

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
EXIT_BROKEN_PIPE = 141  # what a shell reports for a writer whose reader went away (SIGPIPE)

#: name -> (module under acme_txn.cli, help), in the order `acme-txn --help` lists them
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("demo_cmd", "run the whole product on an embedded backend and check it"),
    "local": ("local_cmd", "embedded DynamoDB Local in the background"),
    "init": ("ledger_cmd", "create or verify the tables"),
    "submit": ("ledger_cmd", "JSON lines of commands in, JSON lines of outcomes out"),
    "balance": ("read_cmd", "an account's balance"),
    "events": ("read_cmd", "an account's events in seq order"),
    "txn": ("read_cmd", "a transaction by its txn id"),
    "txns": ("txns_cmd", "an account's transactions: the last N or a date range"),
    "statement": (
        "statement_cmd",
        "an account's statement: opening, every entry with its balance after, closing",
    ),
    "account": ("bank_cmd", "accounts: by number, of a customer"),
    "customer": ("bank_cmd", "customers: by id, phone, state, special status"),
    "offer": ("offer_cmd", "marketing offers: details, a customer's, status"),
    "report": ("report_cmd", "analyst reports from the read models"),
    "reconcile": (
        "report_cmd",
        "read models vs the event log, up to what was projected; lists every mismatch. "
        "Exit 0: current and equal; 1: damaged (mismatches); 3: behind only (the records "
        "not projected yet are counted, not compared)",
    ),
    "export": ("export_cmd", "datasets for SQL: Parquet, CSV or JSON lines"),
    "alerts": ("alerts_cmd", "fraud alerts: list, show, review, dismiss"),
    "fraud": ("fraud_cmd", "the fraud rules' stream consumer and its demo data"),
    "points": ("points_cmd", "loyalty points: earn, redeem, balance, history"),
    "budget": ("budget_cmd", "budgets: expenses, budgets, spend, notifications"),
    "consume": (
        "consume_cmd",
        "run a stream consumer: projections, fraud or apps (--until-idle)",
    ),
    "project": ("project_cmd", "the same as `consume projections`"),
    "apps": ("apps_cmd", "the loyalty and budget applications' stream consumer"),
    "dlq": ("project_cmd", "dead letters of the stream consumers"),
    "status": ("status_cmd", "stream consumers' lag, leases, dead letters; tables"),
    "expire-pending": (
        "pending_cmd",
        "record PendingExpired for every expired, unresolved pending transfer or hold",
    ),
    "archive": ("archive_cmd", "move events older than 7 years to the archive table"),
    "api": ("api_cmd", "the HTTP API: serve it locally, write its OpenAPI"),
    "package": ("deploy_cmd", "build the Lambda zip (no Docker)"),
    "deploy": ("deploy_cmd", "package, upload and deploy the CloudFormation stack"),
    "undeploy": ("deploy_cmd", "delete the stack"),
}
#: global options that take a value (to find the command word in argv)
VALUED = frozenset({"--endpoint-url", "--table-prefix", "--region", "--output", "-o"})
_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")


class Parser(argparse.ArgumentParser):
    """argparse with errors that help: the failing (sub)command's usage, and a "did you
    mean" for a mistyped command or option (as git does)."""

    def error(self, message: str) -> NoReturn:
        found = _INVALID_CHOICE.search(message)
        if found:
            word, choices = found[1], re.findall(r"'([^']*)'", found[2])
            message = f"unknown {'command' if self.prog == 'acme-txn' else 'action'} {word!r}"
            message += _did_you_mean(word, choices)
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n(see `{self.prog} --help`)\n")


def _did_you_mean(word: str, choices: Sequence[str], n: int = 3) -> str:
    close = difflib.get_close_matches(word, choices, n=n, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The options every command takes, accepted before the command and after it (as the
    AWS CLI does). After it, they default to SUPPRESS so they never overwrite a value given
    before it."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument(
        "--endpoint-url",
        default=default(None),
        help="DynamoDB endpoint (default: AWS_ENDPOINT_URL*, else a running `acme-txn local` "
        "server; AWS only with --aws or AWS_PROFILE)",
    )
    parser.add_argument(
        "--table-prefix",
        default=default(None),
        help="table name prefix (default ACME_TABLE_PREFIX or 'acme')",
    )
    parser.add_argument(
        "--region", default=default(None), help="AWS region (default AWS_REGION or us-east-1)"
    )
    parser.add_argument(
        "--aws",
        action="store_true",
        default=default(False),
        help="use AWS (never the default): ignore a running local server",
    )
    add_output_options(parser, suppress=suppress)


def command_word(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (skipping global options and their values)."""
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token in VALUED:
            skip = True
        elif not token.startswith("-"):
            return token if token in COMMANDS else None
    return None


def build_parser(command: str | None = None, *, full: bool = True) -> argparse.ArgumentParser:
    """Every command's parser (``full``), or only ``command``'s module's in full and the
    others as their names and help (what `--help` and a usage error need)."""
    parser = Parser(
        prog="acme-txn",
        description="Event-sourced transaction processor on DynamoDB. Every command takes "
        "--output json|jsonl|table|csv. The command reference: docs/commands.md.",
    )
    _global_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = {m for m, _ in COMMANDS.values()} if full else set()
    if command is not None:
        modules.add(COMMANDS[command][0])
    for module in sorted(modules):
        import_module(f"acme_txn.cli.{module}").register(sub, common)
    for name, (_, text) in COMMANDS.items():
        if name not in sub.choices:
            sub.add_parser(name, help=text)
    order = list(COMMANDS)  # the listing in COMMANDS' order, whichever module came first
    sub._choices_actions.sort(key=lambda action: order.index(action.dest))
    for leaf in leaf_parsers(parser):
        leaf.set_defaults(_leaf=leaf)
    return parser


def leaf_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parsers that run a command (those without subcommands), depth first."""
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not actions:
        yield parser
        return
    for action in actions:
        seen: set[int] = set()
        for child in action.choices.values():
            if id(child) not in seen:  # an alias maps to the same parser
                seen.add(id(child))
                yield from leaf_parsers(child)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    command = command_word(argv)
    parser = build_parser(command, full=False)
    args, extras = parser.parse_known_args(argv)
    leaf: argparse.ArgumentParser = getattr(args, "_leaf", parser)
    if extras:
        options = [o for a in leaf._actions for o in a.option_strings]
        hints = "".join(
            _did_you_mean(e.split("=")[0], options, n=1) for e in extras if e[:1] == "-"
        )
        leaf.error(f"unrecognized arguments: {' '.join(extras)}{hints}")
    if not hasattr(args, "func"):  # a name only (the command word was not found)
        return build_parser(full=True).parse_args(argv)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(sys.argv[1:] if argv is None else argv)
    except BrokenPipeError:
        _quiet_stdout()  # `acme-txn events X | head -1`: the reader has gone; exit quietly
        return EXIT_BROKEN_PIPE


def _run(argv: Sequence[str]) -> int:
    args = parse(argv)  # before any import of the product: `--help` and usage errors
    from acme_base.errors import AcmeError, InvalidInput
    from acme_txn.cli.context import Context, backend_of, err, settings_from_args

    try:
        settings = settings_from_args(args)
        ctx = Context(args, settings, backend_of(args, settings, os.environ))
        code = args.func(ctx)
    except InvalidInput as exc:
        err(str(exc))
        return EXIT_BAD_INPUT
    except AcmeError as exc:
        err(str(exc))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not _no_credentials(exc):
            raise
        err(
            "no AWS credentials: run `acme-txn local start` for the local backend, "
            "or pass --endpoint-url"
        )
        return EXIT_FAILURE
    return int(code or EXIT_OK)


def _no_credentials(exc: Exception) -> bool:
    if "botocore" not in sys.modules:
        return False
    from botocore.exceptions import NoCredentialsError

    return isinstance(exc, NoCredentialsError)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (a test's capture): nothing to silence


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
