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
from acme_txn.bootstrap import App, Options, bootstrap
from acme_txn.cli import context
from acme_txn.cli.main import main
from streams.memory_ledger import StreamedEventStore

#: ``run(*argv)`` -> (exit code, stdout, stderr)
Run = Callable[..., tuple[int, str, str]]


def twin_app() -> App:
    """The product on the in-memory twins (as the ``memory_app`` fixture)."""
    return bootstrap(Settings(table_prefix="memory"), memory=True)


def sibling(app: App, options: Options) -> App:
    """What ``Context.app_with(options)`` builds on a backend, on ``app``'s twins: the same log
    (and stream), views and fraud store, other options (a consumer's own)."""
    store = app.event_store
    stream = store.source if isinstance(store, StreamedEventStore) else None
    return bootstrap(
        app.settings,
        options,
        memory=True,
        event_store=store,
        views=app.views,
        fraud_store=app.fraud_store,
        shard_source=stream,
    )


def twin_cli(app: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """``run(*argv)``: `acme-txn ARGV` on ``app`` (a usage error: exit 2, argparse's message
    on stderr); a command that builds an app with options of its own (``Context.app_with``)
    gets a ``sibling`` of it. No endpoint and no running local server: anything that would
    still reach for a backend refuses (exit 1) rather than reaching one."""
    monkeypatch.setattr(context.Context, "app", property(lambda _self: app))
    monkeypatch.setattr(context.Context, "app_with", lambda _self, options: sibling(app, options))
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
