"""Hand the session's DynamoDB Local to the state machines (they cannot take fixtures)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.property import backend as backends


@pytest.fixture(scope="module", autouse=True)
def machine_backend(ddb_endpoint: str, state_dir: Path) -> Iterator[backends.Backend]:
    backend = backends.Backend(ddb_endpoint, state_dir)
    backends.use(backend)
    yield backend
