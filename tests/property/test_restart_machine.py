"""GIVEN a DynamoDB Local with a persistent data dir WHEN it is stopped and restarted in the
middle of a random history (writes, retries, projections) THEN nothing is lost, retries are
still recognised as duplicates, and the projections carry on exactly.

Kept rare and cheap: its own server, a few examples, at most one restart per example."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis.stateful import run_state_machine_as_test

from acme_txn.backend import dynamodb_local
from tests.property import backend as backends
from tests.property.profiles import machine_settings
from tests.property.projecting import HAVE_PROJECTOR, RestartingLedgerMachine

pytestmark = pytest.mark.skipif(not HAVE_PROJECTOR, reason="projections/ not built yet")


@pytest.fixture(scope="module")
def restartable_backend(
    tmp_path_factory: pytest.TempPathFactory, state_dir: Path
) -> Iterator[backends.Backend]:
    data_dir = tmp_path_factory.mktemp("ddb-data")
    server = dynamodb_local.start(state_dir, data_dir=data_dir)
    backend = backends.Backend(server.endpoint, state_dir, server=server, data_dir=data_dir)
    backends.use(backend)
    yield backend
    backend.stop()


def test_restarting_machine(restartable_backend: backends.Backend) -> None:
    """GIVEN the restartable backend WHEN the machine runs (restart rule included) THEN every
    invariant held throughout (run_state_machine_as_test raises otherwise) and at least one
    restart really happened (the rule is not silently dead)."""
    run_state_machine_as_test(RestartingLedgerMachine, settings=machine_settings(scale=0.15))
    assert restartable_backend.restarts >= 1
