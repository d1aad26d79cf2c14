"""Shared fixtures: one DynamoDB Local per test run, a fresh access key (= a fresh database)
per test module, and a fresh table prefix per test.

A fresh key per module matters: streams of deleted tables live on inside DynamoDB Local's
database and slow every later stream-enabled table down (see ../shared/DESIGN.md).
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hyp_settings

from acme_base.aws import dynamodb_client, streams_client
from acme_base.settings import Settings, default_state_dir
from acme_base.tables import ensure_tables
from acme_txn.backend import dynamodb_local
from processor.service import Ledger
from processor.store import EventStore

hyp_settings.register_profile("dev", max_examples=25, deadline=None)
hyp_settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hyp_settings.register_profile(
    "deep",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
hyp_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

_prefix_counter = itertools.count()


@pytest.fixture(scope="session")
def state_dir() -> Path:
    return default_state_dir(os.environ)


@pytest.fixture(scope="session")
def ddb_endpoint(state_dir: Path) -> Iterator[str]:
    """One DynamoDB Local per test run (or ACME_TEST_ENDPOINT, if set, e.g. LocalStack)."""
    if os.environ.get("ACME_TEST_ENDPOINT"):
        yield os.environ["ACME_TEST_ENDPOINT"]
        return
    with dynamodb_local.running(state_dir) as server:
        yield server.endpoint


@pytest.fixture(scope="module")
def module_settings(ddb_endpoint: str, state_dir: Path) -> Settings:
    """A fresh access key per module: DynamoDB Local keeps one database per key."""
    key = f"m{uuid.uuid4().hex[:12]}"
    return Settings(
        endpoint_url=ddb_endpoint,
        access_key=key,
        secret_key=key,
        state_dir=state_dir,
        table_prefix="base",
    )


@pytest.fixture
def settings(module_settings: Settings) -> Settings:
    """A fresh table prefix per test, with the tables created."""
    prefix = f"t{next(_prefix_counter)}{uuid.uuid4().hex[:6]}"
    fresh = module_settings.with_(table_prefix=prefix)
    ensure_tables(dynamodb_client(fresh), fresh)
    return fresh


@pytest.fixture
def client(settings: Settings) -> Any:
    return dynamodb_client(settings)


@pytest.fixture
def streams(settings: Settings) -> Any:
    return streams_client(settings)


@pytest.fixture
def store(client: Any, settings: Settings) -> EventStore:
    return EventStore(client, settings.ledger_table)


@pytest.fixture
def ledger(store: EventStore) -> Ledger:
    return Ledger(store)
