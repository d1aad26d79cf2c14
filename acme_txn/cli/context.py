"""What every command needs: settings, the resolved endpoint, the assembled app, output.

The parts come from the composition root (``acme_txn.bootstrap``); options come from the
environment (``ACME_LEDGER_*``, ``ACME_PROJECTOR_*``, ``ACME_CONSUMER_*``) with the command's
flags over them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from acme_base.settings import Settings
from acme_txn.backend.dynamodb_local import running_server
from acme_txn.bootstrap import App, Options, bootstrap
from acme_txn.options import from_args
from processor.ports import EventStore


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Flags win over the environment; with no endpoint, use a running `local start` server."""
    settings = Settings.from_env(
        os.environ,
        table_prefix=args.table_prefix,
        region=args.region,
        endpoint_url=args.endpoint_url,
    )
    if settings.endpoint_url is None and not args.aws:
        server = running_server(settings.state_dir)
        if server is not None:
            settings = settings.for_local(server.endpoint)
    elif settings.endpoint_url and _is_loopback(settings.endpoint_url):
        settings = settings.for_local(settings.endpoint_url)
    return settings


def _is_loopback(endpoint: str) -> bool:
    return any(h in endpoint for h in ("://127.", "://localhost", "://[::1]"))


@dataclass
class Context:
    args: argparse.Namespace
    settings: Settings

    @cached_property
    def options(self) -> Options:
        base = Options.from_env(os.environ)
        return Options(
            ledger=from_args(self.args, "ledger", base.ledger),
            projector=from_args(self.args, "projector", base.projector),
            consumer=from_args(self.args, "consumer", base.consumer),
        )

    @cached_property
    def app(self) -> App:
        return bootstrap(self.settings, self.options)

    @property
    def dynamodb(self) -> Any:
        return self.app.dynamodb

    @property
    def store(self) -> EventStore:
        return self.app.event_store

    @property
    def as_json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    def emit(self, data: Any, human: str | None = None) -> None:
        """One JSON document per call with --json, else the human text."""
        if self.as_json or human is None:
            print(json.dumps(data, default=str), flush=True)
        else:
            print(human, flush=True)


def err(message: str) -> None:
    print(f"acme-txn: {message}", file=sys.stderr, flush=True)
