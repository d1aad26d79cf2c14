"""The embedded DynamoDB Local launcher keeps its state dir clean: GIVEN a private state dir
sharing the cached jar WHEN servers start and stop THEN no log is left behind, while a server
that fails to start keeps its log and the error says where it is."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from acme_base.errors import BackendUnavailable
from acme_txn.backend import dynamodb_local
from acme_txn.backend.install import VERSION_DIR, ensure_dynamodb_local

pytestmark = pytest.mark.server  # each test starts DynamoDB Local itself


@pytest.fixture
def private_state(tmp_path: Path, state_dir: Path) -> Path:
    """A fresh state dir whose jar is the (once installed) shared one."""
    private = tmp_path / "state"
    private.mkdir()
    (private / VERSION_DIR).symlink_to(ensure_dynamodb_local(state_dir))
    return private


def leftovers(state: Path) -> list[str]:
    """Every file in the state dir except the jar's."""
    return sorted(
        str(p.relative_to(state))
        for p in state.rglob("*")
        if p.is_file() and not p.is_relative_to(state / VERSION_DIR)
    )


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port bound by us (not listening): DynamoDB Local cannot bind it and exits."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def test_given_a_started_server_when_stopped_then_its_log_is_gone(private_state: Path) -> None:
    # GIVEN a server, twice over (a test run starts many)
    for _ in range(2):
        server = dynamodb_local.start(private_state)
        # THEN while it runs, its log sits in a run dir of its own
        log = Path(server.log_file)
        assert log.is_file()
        assert log.parent.parent == private_state / dynamodb_local.SERVERS_DIR
        # WHEN it is stopped THEN the log and its run dir are removed
        dynamodb_local.stop(server)
        assert not log.parent.exists()
    assert leftovers(private_state) == []


def test_given_the_context_manager_when_it_exits_then_no_log_is_left(private_state: Path) -> None:
    # GIVEN `running` as the test fixtures and the demo use it WHEN the block ends
    with dynamodb_local.running(private_state) as server:
        assert dynamodb_local.answers(server.endpoint)
    # THEN nothing but the jar is left in the state dir
    assert leftovers(private_state) == []


def test_given_logs_of_earlier_versions_when_a_server_starts_then_they_are_swept(
    private_state: Path,
) -> None:
    # GIVEN per-port logs the old launcher left in the state dir itself
    for port in (40073, 40709):
        (private_state / f"dynamodb-local-{port}.log").write_text("old\n")
    # WHEN a server starts and stops THEN they are gone too
    with dynamodb_local.running(private_state):
        pass
    assert leftovers(private_state) == []


def test_given_a_server_that_cannot_start_then_its_log_is_kept_and_named(
    private_state: Path, taken_port: int
) -> None:
    # GIVEN a port DynamoDB Local cannot bind WHEN a server is started on it
    with pytest.raises(BackendUnavailable, match="log kept at") as failure:
        dynamodb_local.start(private_state, port=taken_port, ready_timeout=30)
    # THEN the error names the log, which is still there
    [kept] = leftovers(private_state)
    assert str(private_state / kept) in str(failure.value)
    assert (private_state / kept).read_text()
