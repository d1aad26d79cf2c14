"""`acme-txn alerts ...` and `acme-txn fraud run` refusing bad input, in-process on the twins:
exit 2 and nothing changes (the pipeline from planted patterns to reviewed alerts runs on
DynamoDB Local's stream: tests/integration/test_alerts_cli.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from acme_txn.bootstrap import App
from tests.app.cli_twins import json_lines, twin_cli

Cli = Callable[..., tuple[int, list[Any]]]


@pytest.fixture
def cli(
    memory_app: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cli:
    monkeypatch.delenv("ACME_FRAUD_RULES", raising=False)
    run = twin_cli(memory_app, monkeypatch, capsys)

    def cli(*args: str) -> tuple[int, list[Any]]:
        code, out, _ = run(*args, "--json")
        return code, json_lines(out)

    return cli


@pytest.mark.parametrize(
    "args",
    [
        ("alerts", "show", "nope"),
        ("alerts", "review", "nope", "--note", "x"),
        ("alerts", "dismiss", "nope", "--note", "   "),
        ("alerts", "list", "--min-score", "101"),
        ("alerts", "list", "--from", "2030-02-01", "--to", "2030-01-01"),
        ("alerts", "list", "--to", "yesterday"),
        ("fraud", "run", "--until-idle", "--tumbling-window", "901"),
        ("fraud", "run", "--until-idle", "--rules", "/nonexistent/rules.toml"),
    ],
)
def test_given_bad_input_then_exit_2_and_nothing_changes(cli: Cli, args: tuple[str, ...]) -> None:
    assert cli(*args)[0] == 2
