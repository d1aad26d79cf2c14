"""`acme-txn expire-pending` refusing a bad `--now`, in-process on the twins (two-phase
transfers through the CLI on DynamoDB Local: tests/integration/test_pending_cli.py)."""

from __future__ import annotations

from typing import Any

import pytest

from acme_txn.bootstrap import App
from tests.app.cli_twins import json_lines, twin_cli


@pytest.fixture
def cli(
    memory_app: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    run = twin_cli(memory_app, monkeypatch, capsys)

    def cli(*args: str) -> tuple[int, list[Any]]:
        code, out, _ = run(*args, "--output", "jsonl")
        return code, json_lines(out)

    return cli


def test_given_a_bad_now_when_sweeping_then_exit_2(cli: Any) -> None:
    assert cli("expire-pending", "--now", "yesterday")[0] == 2
    assert cli("expire-pending", "--now", "2026-01-01T00:00:00")[0] == 2
