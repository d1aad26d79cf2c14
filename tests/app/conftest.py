"""Application tests on the in-memory twins: the ledger's rules, the commands' outcomes, the
services', projections' and reads' logic, run through the composition root's ``App`` built with
``memory=True`` (``memory_app``), or on both backends where the DynamoDB adapter's behaviour is
part of the path (``backend``, both fixtures in tests/conftest.py).

The helpers here stand in for what a DynamoDB test reads from the tables: ``stored`` is every
record the twins hold (a table Scan's counterpart, for "nothing written"), ``project`` delivers
the whole log to the projector (what a drain of the stream does), and ``app_cli`` runs the CLI
in-process on a given twin app.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import fields
from typing import Any

import pytest

from acme_txn.bootstrap import App
from acme_txn.cli import context
from acme_txn.cli.main import main
from processor.storage.memory import MemoryEventStore

#: ``run(*args)`` -> (exit code, the JSON lines printed) or (exit code, stdout)
AppCli = Callable[..., tuple[int, Any]]


def stored(app: App) -> dict[str, Any]:
    """A deep copy of every record the twins of ``app`` hold (events, idempotency records,
    accounts, customers, phones, offers and relationships): equal before and after a command
    exactly when the command wrote nothing."""
    store = app.event_store
    assert isinstance(store, MemoryEventStore), "stored() reads the in-memory twins"
    with store.lock:
        data = {f.name: copy.deepcopy(getattr(store, f.name)) for f in fields(store)
                if f.name != "_lock"}  # fmt: skip
    offers: Any = app.offer_store
    data["offers"] = dict(getattr(offers, "offers", {}))
    data["relationships"] = dict(getattr(offers, "relationships", {}))
    return data


def project(app: App) -> None:
    """Deliver the whole event log to the projector (a drain of the stream, on the twins)."""
    result = app.projector.project(list(app.event_store.all_events()))
    assert result.failed == frozenset(), result


def use_app(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's commands, run in-process, act on ``app`` (no endpoint, no server)."""
    monkeypatch.setattr(context.Context, "app", property(lambda _self: app))
    monkeypatch.setenv("ACME_STATE_DIR", "/nonexistent-acme-state")  # no running server


def app_cli(
    app: App,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    json_lines: bool = True,
) -> AppCli:
    """`acme-txn ARGS` in-process on ``app`` (as ``tests/cli_support.cli_runner`` runs it on a
    test's tables): ``--output jsonl`` unless ARGS choose a format; returns (exit code, JSON
    lines), or with ``json_lines=False`` (exit code, stdout). A usage error is exit 2."""
    use_app(app, monkeypatch)

    def run(*args: str) -> tuple[int, Any]:
        chosen = any(a in ("--json", "--output", "-o") for a in args)
        flags = ["--output", "jsonl"] if json_lines and not chosen else []
        try:
            code = main([*args, *flags])
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr().out
        if not json_lines:
            return code, out
        return code, [json.loads(line) for line in out.splitlines() if line.strip()]

    return run
