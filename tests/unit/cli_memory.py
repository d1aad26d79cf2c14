"""The CLI in-process on the in-memory twins: the command's parsing, rendering and exit code
are the subject, not DynamoDB (those tests use ``tests/cli_support.py``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from acme_txn.cli import context
from acme_txn.cli.main import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def lines(self) -> list[Any]:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


Run = Callable[..., Result]


def memory_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """``run(*argv)``: `acme-txn ARGV` on one memory app shared by the test's calls (a usage
    error is exit 2 with argparse's message on stderr)."""
    app: App = bootstrap(Settings(table_prefix="memory"), memory=True)
    monkeypatch.setattr(context.Context, "app", property(lambda _self: app))
    monkeypatch.setenv("ACME_STATE_DIR", "/nonexistent-acme-state")  # no running server

    def run(*argv: str) -> Result:
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
