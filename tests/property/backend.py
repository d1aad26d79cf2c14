"""Where the state machine's DynamoDB Local lives, and a fresh ledger (key + prefix) per example.

Hypothesis examples cannot use function-scoped pytest fixtures, so each machine instance builds
its own ``Settings`` from the session-wide endpoint that a module fixture stores here. A fresh
access key per example is a fresh DynamoDB Local database (stream-enabled tables of earlier
examples do not slow it down), and a fresh table prefix keeps examples apart on other backends.
"""

from __future__ import annotations

import itertools
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from acme_base.aws import dynamodb_client
from acme_base.settings import Settings
from acme_base.tables import all_specs, ensure_table
from acme_txn.backend import dynamodb_local
from acme_txn.bootstrap import App, bootstrap
from acme_txn.infrastructure import MemoryInfrastructure

_counter = itertools.count()


@dataclass
class Backend:
    """One DynamoDB Local endpoint; ``server``/``data_dir`` set when we may restart it."""

    endpoint: str
    state_dir: Path
    server: dynamodb_local.LocalServer | None = None
    data_dir: Path | None = None
    restarts: int = 0

    @property
    def restartable(self) -> bool:
        return self.server is not None and self.data_dir is not None

    def restart(self) -> None:
        """Stop the server and start a new one on the same data dir (data must survive)."""
        assert self.server is not None and self.data_dir is not None
        dynamodb_local.stop(self.server)
        self.server = dynamodb_local.start(self.state_dir, data_dir=self.data_dir)
        self.endpoint = self.server.endpoint
        self.restarts += 1

    def stop(self) -> None:
        if self.server is not None:
            dynamodb_local.stop(self.server)
            self.server = None


CURRENT: dict[str, Backend] = {}


def use(backend: Backend) -> None:
    CURRENT["backend"] = backend


def current() -> Backend:
    if "backend" not in CURRENT:
        raise RuntimeError(
            "no backend: run through pytest (the ddb_endpoint fixture) or "
            "`python -m tests.property.mutations`"
        )
    return CURRENT["backend"]


def fresh_settings(backend: Backend) -> Settings:
    key = f"p{uuid.uuid4().hex[:12]}"
    return Settings(
        endpoint_url=backend.endpoint,
        access_key=key,
        secret_key=key,
        state_dir=backend.state_dir,
        table_prefix=f"pm{next(_counter)}{key[1:7]}",
        max_attempts=4,
    )


def create_tables(settings: Settings) -> Any:
    """Create the three tables in parallel (about 3x faster than one after another)."""
    client = dynamodb_client(settings)
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(lambda spec: ensure_table(client, spec), all_specs(settings)))
    return client


def machine_app(memory: bool, **parts: Any) -> App:
    """A fresh product for one example: the in-memory twins, or fresh DynamoDB Local tables."""
    if memory:
        return bootstrap(Settings(table_prefix="twins"), memory=True, **parts)
    settings = fresh_settings(current())
    create_tables(settings)
    return bootstrap(settings, **parts)


def close(app: App) -> None:
    """Close the example's client (the twins have none)."""
    if not isinstance(app.infra, MemoryInfrastructure):
        app.dynamodb.close()


def subprocess_env(settings: Settings) -> dict[str, str]:
    """Environment for a second OS process (the CLI) talking to the same ledger."""
    env = dict(os.environ)
    env.update(
        {
            "AWS_ENDPOINT_URL_DYNAMODB": str(settings.endpoint_url),
            "AWS_ENDPOINT_URL": str(settings.endpoint_url),
            "AWS_ACCESS_KEY_ID": str(settings.access_key),
            "AWS_SECRET_ACCESS_KEY": str(settings.secret_key),
            "AWS_REGION": settings.region,
            "AWS_DEFAULT_REGION": settings.region,
            "ACME_TABLE_PREFIX": settings.table_prefix,
        }
    )
    return env
