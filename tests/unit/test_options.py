"""Options declared once: CLI flags and Lambda variables generated from the dataclasses."""

from __future__ import annotations

import argparse

import pytest

from acme_base.errors import InvalidInput
from acme_txn.bootstrap import PROJECTION_CONSUMER, Options
from acme_txn.options import add_arguments, env_table, from_args, from_env
from processor.services.config import LedgerConfig
from streams.config import EsmConfig
from streams.filters import EVENTS_ONLY, FilterCriteria


def _parse(group: str, defaults: object, argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser, group, defaults)
    return parser.parse_args(argv)


def test_given_no_flags_when_read_back_then_the_defaults_are_kept() -> None:
    args = _parse("ledger", LedgerConfig(), [])
    assert from_args(args, "ledger", LedgerConfig()) == LedgerConfig()


def test_given_ledger_flags_when_read_back_then_they_override_the_defaults() -> None:
    args = _parse("ledger", LedgerConfig(), ["--ledger-group-size", "5", "--no-ledger-cache-heads"])
    cfg = from_args(args, "ledger", LedgerConfig())
    assert cfg.group_size == 5 and cfg.cache_heads is False
    assert cfg.max_attempts == LedgerConfig().max_attempts


def test_given_consumer_flags_when_parsed_then_the_cli_contract_names_are_kept() -> None:
    # GIVEN the flags the README documents for `acme-txn project`
    argv = [
        "--batch-size", "7", "--batching-window", "0.5", "--max-retries", "2",
        "--parallelization-factor", "3", "--no-bisect", "--consumer", "audit",
        "--lease-seconds", "4", "--idle-polls", "3", "--poll-interval", "0.05",
        "--starting-position", "LATEST", "--max-record-age", "60",
        "--filter", '{"eventName": ["INSERT"]}',
    ]  # fmt: skip
    # WHEN they are parsed over the projection consumer's defaults
    cfg = from_args(_parse("consumer", PROJECTION_CONSUMER, argv), "consumer", PROJECTION_CONSUMER)
    # THEN every one lands on its EsmConfig field
    assert (cfg.batch_size, cfg.batching_window, cfg.max_retry_attempts) == (7, 0.5, 2)
    assert (cfg.parallelization_factor, cfg.bisect_on_error, cfg.consumer) == (3, False, "audit")
    assert (cfg.lease_seconds, cfg.idle_polls, cfg.poll_interval) == (4.0, 3, 0.05)
    assert cfg.starting_position == "LATEST" and cfg.max_record_age == 60
    assert cfg.filters == FilterCriteria([{"eventName": ["INSERT"]}])


def test_given_lambda_environment_when_options_are_read_then_each_group_takes_its_own() -> None:
    env = {
        "ACME_PROJECTOR_WORKERS": "4",
        "ACME_PROJECTOR_COALESCE": "false",
        "ACME_LEDGER_GROUP_SIZE": "10",
        "ACME_CONSUMER_BATCH_SIZE": "50",
    }
    options = Options.from_env(env)
    assert options.projector.workers == 4 and options.projector.coalesce is False
    assert options.ledger.group_size == 10
    assert options.consumer.batch_size == 50
    assert options.consumer.filters == FilterCriteria([EVENTS_ONLY])  # untouched default


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ACME_PROJECTOR_WORKERS", "many"),
        ("ACME_PROJECTOR_COALESCE", "perhaps"),
        ("ACME_LEDGER_GROUP_SIZE", "99"),
        ("ACME_CONSUMER_BATCH_SIZE", "0"),
        ("ACME_CONSUMER_FILTERS", "{not json"),
    ],
)
def test_given_a_bad_variable_when_options_are_read_then_a_clear_error_is_raised(
    name: str, value: str
) -> None:
    with pytest.raises(InvalidInput):
        Options.from_env({name: value})


def test_given_the_defaults_when_listed_as_variables_then_they_parse_back_to_the_same() -> None:
    for group, defaults in (("ledger", LedgerConfig()), ("consumer", PROJECTION_CONSUMER)):
        table = env_table(group, defaults)
        assert table, group
        assert from_env(table, group, defaults) == defaults


def test_given_lambda_defaults_when_compared_with_the_projection_consumer_then_only_the_documented_ones_differ() -> (  # noqa: E501
    None
):
    differ = {
        name
        for name in EsmConfig.__dataclass_fields__
        if getattr(EsmConfig(), name) != getattr(PROJECTION_CONSUMER, name)
    }
    assert differ == {"filters", "max_retry_attempts", "bisect_on_error"}
