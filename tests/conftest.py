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

from acme_base.settings import Settings, default_state_dir
from acme_txn.backend import dynamodb_local
from acme_txn.bootstrap import App, bootstrap
from processor.services.ledger import Ledger
from processor.storage.ports import EventStore

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


#: a test that takes one of these needs a server: ``ddb_endpoint`` is the run's DynamoDB Local,
#: ``state_dir`` holds the cached DynamoDB Local a test starts a server of its own from
SERVER_FIXTURES = frozenset({"ddb_endpoint", "state_dir"})
#: a parametrized test whose parameter is one of these runs on a server (the ``backend``
#: fixture and the contract suites' ``[memory, dynamodb]`` fixtures)
SERVER_PARAMS = frozenset({"dynamodb"})


def needs_server(item: pytest.Item) -> bool:
    """True for a test that needs a server: it takes a server's fixture, one of its fixtures is
    parametrized onto DynamoDB Local (such a fixture reaches the server through
    ``request.getfixturevalue``, which the static fixture list does not show), it is a state
    machine of the property suite not run on the twins, or it deploys on LocalStack."""
    names = set(getattr(item, "fixturenames", ()))
    callspec = getattr(item, "callspec", None)
    params = list(callspec.params.values()) if callspec is not None else []
    module = getattr(item, "module", None)
    machines = "property" in item.path.parts and not getattr(module, "TWINS", False)
    on_server = any(isinstance(p, str) and p in SERVER_PARAMS for p in params)
    return bool(names & SERVER_FIXTURES) or on_server or machines or "e2e" in item.path.parts


#: the long tests: their modules run first, so that with several workers (``-n``) none of
#: them starts last and keeps one worker busy while the others are idle
LONG_MARKERS = ("slow", "nemesis")


def _is_long(item: pytest.Item) -> bool:
    machines = "property" in item.path.parts and item.get_closest_marker("server") is not None
    return machines or any(item.get_closest_marker(name) for name in LONG_MARKERS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs a server ``server``: the fast lane is ``-m 'not server'``.
    The property suite's modules get DynamoDB Local from tests/property/conftest.py unless
    they run on the twins (``TWINS = True``). Then the modules holding long tests move to the
    front (whole modules, in their order: module fixtures are still set up once)."""
    for item in items:
        if needs_server(item):
            item.add_marker(pytest.mark.server)
    long_modules = {item.path for item in items if _is_long(item)}
    items.sort(key=lambda item: item.path not in long_modules)


@pytest.fixture(params=["memory", pytest.param("dynamodb", marks=pytest.mark.server)])
def backend(request: pytest.FixtureRequest) -> App:
    """The product on each backend: the in-memory twins, then DynamoDB Local (a test of the
    ledger's rules or commands takes this, or ``memory_app``, rather than ``app``)."""
    if request.param == "memory":
        return bootstrap(Settings(table_prefix="memory"), memory=True)
    app: App = request.getfixturevalue("app")
    return app


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
def settings(module_settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """A fresh table prefix per test, with the tables created (only for a test marked
    ``server``: one that reached DynamoDB Local unmarked would slow the fast lane down)."""
    if request.node.get_closest_marker("server") is None:
        pytest.fail(f"{request.node.nodeid} creates tables but is not marked server")
    prefix = f"t{next(_prefix_counter)}{uuid.uuid4().hex[:6]}"
    fresh = module_settings.with_(table_prefix=prefix)
    bootstrap(fresh).ensure_tables()
    return fresh


@pytest.fixture
def app(settings: Settings) -> App:
    """The product assembled by the composition root, on this test's tables."""
    return bootstrap(settings)


@pytest.fixture
def memory_app() -> App:
    """The same parts on the in-memory twins (no backend, no tables)."""
    return bootstrap(Settings(table_prefix="memory"), memory=True)


@pytest.fixture
def client(app: App) -> Any:
    return app.dynamodb


@pytest.fixture
def streams(app: App) -> Any:
    return app.streams


@pytest.fixture
def store(app: App) -> EventStore:
    return app.event_store


@pytest.fixture
def ledger(app: App) -> Ledger:
    return app.ledger
