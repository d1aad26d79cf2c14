"""The CLI in-process on an ``App`` of in-memory twins: ``main(argv)`` with the app injected
where commands take it (``Context.app``), stdout and stderr captured, the exit code returned.

For tests whose subject is a command's parsing, output or exit code, or a rule behind it, not
DynamoDB's behaviour: no server, no tables, no interpreter per call. The test keeps the
``App`` to arrange data and to look at the twins afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from acme_txn.cli import context
from acme_txn.cli.main import main

#: ``run(*argv)`` -> (exit code, stdout, stderr)
Run = Callable[..., tuple[int, str, str]]


def twin_app() -> App:
    """The product on the in-memory twins (as the ``memory_app`` fixture)."""
    return bootstrap(Settings(table_prefix="memory"), memory=True)


def twin_cli(app: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """``run(*argv)``: `acme-txn ARGV` on ``app`` (a usage error: exit 2, argparse's message
    on stderr). No endpoint and no running local server: a command that builds its own app
    instead of taking ``Context.app`` refuses (exit 1) rather than reaching a backend."""
    monkeypatch.setattr(context.Context, "app", property(lambda _self: app))
    monkeypatch.setenv("ACME_STATE_DIR", "/nonexistent-acme-state")
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    capsys.readouterr()

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def json_lines(out: str) -> list[Any]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]
