"""Running the CLI in-process against a test's tables: the ``cli`` fixtures of the CLI test
modules are built from ``cli_runner``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.cli.main import main

#: ``run(*args)`` -> (exit code, the JSON lines printed)
CliRunner = Callable[..., tuple[int, Any]]


def cli_runner(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    json_lines: bool = True,
) -> CliRunner:
    """Run `acme-txn ARGS --output jsonl` against ``settings``' tables; returns (exit code,
    JSON lines): a list is one object per line, a record one line. With ``--json`` or
    ``--output`` in ARGS, that format instead (``--json``: a list is one document
    ``{"items", "count", "next_token"}``). ``json_lines=False``: `acme-txn ARGS` as given,
    and stdout as one string."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", settings.access_key or "")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", settings.secret_key or "")
    monkeypatch.setenv("ACME_TABLE_PREFIX", settings.table_prefix)

    def run(*args: str) -> tuple[int, Any]:
        chosen = any(a in ("--json", "--output", "-o") for a in args)
        flags = ["--output", "jsonl"] if json_lines and not chosen else []
        code = main([*args, "--endpoint-url", settings.endpoint_url or "", *flags])
        out = capsys.readouterr().out
        if not json_lines:
            return code, out
        return code, [json.loads(line) for line in out.splitlines() if line.strip()]

    return run
