"""`acme-txn project` refusing bad consumer options, in-process on the twins (the consumer on
DynamoDB Local's stream: tests/integration/test_streams_cli.py)."""

from __future__ import annotations

import pytest

from acme_txn.bootstrap import App
from tests.app.cli_twins import twin_cli


def test_given_bad_filter_json_then_exit_code_is_2(
    memory_app: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = twin_cli(memory_app, monkeypatch, capsys)
    assert run("project", "--until-idle", "--filter", "{nope")[0] == 2
    assert run("project", "--until-idle", "--batch-size", "0")[0] == 2
