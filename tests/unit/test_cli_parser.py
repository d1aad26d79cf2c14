"""Global options before or after the command, as the AWS CLI accepts them."""

from __future__ import annotations

import pytest

from acme_txn.cli.main import build_parser


@pytest.mark.parametrize(
    "argv",
    [
        ["--endpoint-url", "http://127.0.0.1:9", "--table-prefix", "p1", "--json", "init"],
        ["init", "--endpoint-url", "http://127.0.0.1:9", "--table-prefix", "p1", "--json"],
        ["--endpoint-url", "http://127.0.0.1:9", "init", "--table-prefix", "p1", "--json"],
    ],
)
def test_given_global_options_anywhere_when_parsed_then_they_reach_the_command(
    argv: list[str],
) -> None:
    args = build_parser().parse_args(argv)
    assert args.command == "init"
    assert args.endpoint_url == "http://127.0.0.1:9"
    assert args.table_prefix == "p1" and args.json is True


def test_given_no_global_options_when_parsed_then_their_defaults_are_set() -> None:
    args = build_parser().parse_args(["balance", "A1"])
    assert (args.endpoint_url, args.table_prefix, args.region) == (None, None, None)
    assert args.aws is False and args.json is False


def test_given_an_option_before_and_after_when_parsed_then_the_later_one_wins() -> None:
    args = build_parser().parse_args(["--region", "eu-west-1", "balance", "A1", "--region", "x"])
    assert args.region == "x"
