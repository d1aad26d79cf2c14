"""`acme-txn submit` then `acme-txn project --until-idle`, in-process on the twins (the
consumer reading the stream twin): the projections catch up and a second run resumes from the
checkpoint; bad consumer options refused. The consumer on DynamoDB Local's stream (dead
letters, SIGTERM, the Lambda): tests/integration/test_streams_cli.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from acme_txn.bootstrap import App
from tests.app.cli_twins import twin_cli
from tests.app.stream_twins import streamed_app
from tests.integration.test_streams_cli import run_json, submit


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The CLI on the twins with a streamed log (no flags needed: the app is injected)."""
    twin_cli(streamed_app(), monkeypatch, capsys)
    return []


def test_given_bad_filter_json_then_exit_code_is_2(
    memory_app: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = twin_cli(memory_app, monkeypatch, capsys)
    assert run("project", "--until-idle", "--filter", "{nope")[0] == 2
    assert run("project", "--until-idle", "--batch-size", "0")[0] == 2


def test_given_submitted_commands_when_project_until_idle_then_projections_catch_up(
    tmp_path: Path, cli: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    submit(tmp_path, cli, capsys)
    code, (summary,) = run_json(
        ["project", "--until-idle", "--poll-interval", "0.05", *cli], capsys
    )
    assert code == 0 and summary["idle"] and summary["dead_lettered"] == 0
    assert summary["delivered"] == 7  # 2 opens, credit, debit, 2 transfer legs, 1 decline
    for account, balance, seq in [("A1", "64.50", 3), ("A2", "5.00", 2)]:
        code, (view,) = run_json(["balance", account, "--source", "projection", *cli], capsys)
        assert (view["source"], view["balance"], view["applied_seq"]) == (
            "projection",
            balance,
            seq,
        )
    code, (again,) = run_json(["project", "--until-idle", "--poll-interval", "0.05", *cli], capsys)
    assert code == 0 and again["delivered"] == 0  # resumed from the checkpoint
