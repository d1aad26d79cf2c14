"""8 threads and 2 OS processes writing to the same accounts at once, on DynamoDB Local; and
the same race on the in-memory store, where the 2 processes are 2 more ledgers (each its own
head cache and group-commit queues, 4 workers each) sharing the store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.invariants import check_log
from acme_txn.workload import (
    WorkloadSpec,
    customer_ids,
    funding_commands,
    mixed_commands,
    opening_commands,
)
from processor.domain.outcomes import Outcome
from processor.services.ledger import Ledger
from processor.storage.memory import MemoryEventStore
from processor.storage.ports import EventStore
from tests.customer_support import register_in

#: starts a command stream as another process would; the returned call waits for its outcomes
Remote = Callable[[list[dict[str, Any]], Path], Callable[[], list[Outcome]]]


def _cli_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "AWS_ACCESS_KEY_ID": settings.access_key or "",
            "AWS_SECRET_ACCESS_KEY": settings.secret_key or "",
            "AWS_ENDPOINT_URL": settings.endpoint_url or "",
            "ACME_TABLE_PREFIX": settings.table_prefix,
            "AWS_REGION": settings.region,
        }
    )
    return env


def _start_submitter(
    settings: Settings, commands: list[dict[str, Any]], path: Path
) -> subprocess.Popen[str]:
    path.write_text("".join(json.dumps(c) + "\n" for c in commands))
    return subprocess.Popen(
        [sys.executable, "-m", "acme_txn.cli.main", "submit", str(path), "--workers", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_cli_env(settings),
    )


def _dynamodb_process(settings: Settings) -> Remote:
    def start(commands: list[dict[str, Any]], path: Path) -> Callable[[], list[Outcome]]:
        proc = _start_submitter(settings, commands, path)

        def wait() -> list[Outcome]:
            out, errors = proc.communicate(timeout=300)
            assert proc.returncode == 0, errors
            return [Outcome.model_validate_json(line) for line in out.splitlines()]

        return wait

    return start


def _memory_process(store: EventStore) -> Remote:
    def start(commands: list[dict[str, Any]], _: Path) -> Callable[[], list[Outcome]]:
        ledger = Ledger(store)  # another process: its own head cache and queues
        pool = ThreadPoolExecutor(max_workers=4)  # as `submit --workers 4`
        futures = [pool.submit(ledger.submit_raw, c) for c in commands]

        def wait() -> list[Outcome]:
            try:
                return [f.result() for f in futures]
            finally:
                pool.shutdown()

        return wait

    return start


@pytest.fixture(params=["memory", pytest.param("dynamodb", marks=pytest.mark.server)])
def backend(request: pytest.FixtureRequest) -> tuple[EventStore, Remote]:
    """The store, and how another process submits to it (DynamoDB Local only when used)."""
    if request.param == "memory":
        store = MemoryEventStore()
        return store, _memory_process(store)
    return request.getfixturevalue("store"), _dynamodb_process(request.getfixturevalue("settings"))


def test_given_threads_and_processes_on_hot_accounts_then_every_invariant_holds(
    backend: tuple[EventStore, Remote], tmp_path: Path
) -> None:
    store, start_process = backend
    # GIVEN three funded accounts, and three disjoint command streams hammering them
    spec = WorkloadSpec(accounts=3, commands=90, seed=11, transfer_ratio=0.4, duplicate_ratio=0.1)
    ledger = Ledger(store)
    register_in(store, *customer_ids(spec))
    setup = [ledger.submit_raw(c) for c in opening_commands(spec) + funding_commands(spec)]
    streams = [
        mixed_commands(WorkloadSpec(accounts=3, commands=90, seed=s, transfer_ratio=0.4))
        for s in (21, 22, 23)
    ]
    # WHEN two OS processes and 8 threads in this one submit them all at the same time
    procs = [start_process(streams[i], tmp_path / f"in{i}.jsonl") for i in (0, 1)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        local = list(pool.map(ledger.submit_raw, streams[2]))
    remote: list[Outcome] = []
    for wait in procs:
        remote += wait()
    outcomes = setup + local + remote
    # THEN every command got a definite outcome, and the log satisfies every invariant
    assert len(remote) == 180
    assert {o.status for o in outcomes} <= {"opened", "approved", "declined", "duplicate"}
    check = check_log(store.all_events(), outcomes)
    assert check.ok, check.problems
    decided = [o for o in outcomes if o.status in {"approved", "declined"}]
    assert check.events == len(decided) + 3 + sum(
        1 for o in decided if o.status == "approved" and o.to_seq is not None
    )
    assert len({o.txn_id for o in decided}) == len(decided)  # one decision per txn id
