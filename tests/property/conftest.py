"""Hand the session's DynamoDB Local to the state machines (they cannot take fixtures); a
module that sets ``TWINS = True`` runs its machines on the in-memory twins, without a server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.property import backend as backends


@pytest.fixture(scope="module", autouse=True)
def machine_backend(request: pytest.FixtureRequest) -> Iterator[backends.Backend | None]:
    if getattr(request.module, "TWINS", False):
        yield None
        return
    backend = backends.Backend(
        request.getfixturevalue("ddb_endpoint"), request.getfixturevalue("state_dir")
    )
    backends.use(backend)
    yield backend
