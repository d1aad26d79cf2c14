"""Entry point: parse arguments, build the context once, dispatch, map errors to exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from botocore.exceptions import NoCredentialsError

from acme_base.errors import AcmeError, InvalidInput
from acme_txn.cli import (
    alerts_cmd,
    api_cmd,
    apps_cmd,
    archive_cmd,
    bank_cmd,
    budget_cmd,
    demo_cmd,
    deploy_cmd,
    export_cmd,
    fraud_cmd,
    ledger_cmd,
    local_cmd,
    offer_cmd,
    pending_cmd,
    points_cmd,
    project_cmd,
    read_cmd,
    report_cmd,
    statement_cmd,
    status_cmd,
    txns_cmd,
)
from acme_txn.cli.context import Context, backend_of, err, settings_from_args

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
COMMAND_MODULES = [local_cmd, ledger_cmd, read_cmd, demo_cmd, report_cmd, project_cmd]
COMMAND_MODULES += [bank_cmd, txns_cmd]
COMMAND_MODULES += [offer_cmd]
COMMAND_MODULES += [archive_cmd]
COMMAND_MODULES += [alerts_cmd, fraud_cmd]
COMMAND_MODULES += [statement_cmd, status_cmd, export_cmd]
COMMAND_MODULES += [deploy_cmd]
COMMAND_MODULES += [api_cmd]
COMMAND_MODULES += [pending_cmd]
COMMAND_MODULES += [points_cmd, budget_cmd]
COMMAND_MODULES += [apps_cmd]


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
    parser.add_argument(
        "--json", action="store_true", default=default(False), help="machine-readable output"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="acme-txn", description="Event-sourced transaction processor on DynamoDB."
    )
    _global_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
    except NoCredentialsError:
        err(
            "no AWS credentials: run `acme-txn local start` for the local backend, "
            "or pass --endpoint-url"
        )
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    return int(code or EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
