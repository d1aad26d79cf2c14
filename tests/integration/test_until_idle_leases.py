"""A run until idle never reports idle while a shard has records behind: a shard leased by
another holder is waited for (its lease expires, or its holder is provably dead and loses it
at once), and one not got in time ends the run blocked, naming the shard, its holder and the
records behind. Here through the CLI (`project --until-idle`, `status`) with the leases on
DynamoDB Local; the poller's own waiting, takeover and blocking on the lease twin:
tests/app/test_consumer_until_idle_twins.py. The shard graph is synthetic."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.cli import project_cmd
from processor.domain.events import FundsCredited
from processor.storage.codec import event_to_item
from streams.state import StreamState
from tests.cli_support import cli_runner

FAST = {"poll_interval": 0.05, "retry_backoff": 0.01}


def item(account: str, seq: int) -> dict[str, Any]:
    return event_to_item(
        FundsCredited(
            account_id=account,
            seq=seq,
            txn_id=f"{account}{seq}",
            currency="USD",
            amount=1,
            balance_after=seq,
            occurred_at=datetime.now(UTC),
        )
    )


def dead_owner() -> str:
    """The lease owner of a poller process that has exited (SIGKILLed, say)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}:cafe0001"


def live_owner() -> str:
    """A holder on another host: it can never be proven dead, only waited out."""
    return f"elsewhere.example:{os.getpid()}:cafe0002"


def test_given_a_live_foreign_lease_with_records_behind_when_project_until_idle_then_exit_1(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from acme_txn.bootstrap import bootstrap
    from tests.customer_support import register

    app = bootstrap(settings)
    register(app.ledger, "C")
    app.ledger.submit_raw({"type": "open_account", "account_id": "A", "customer_id": "C"})
    source = app.shard_source()
    (shard,) = source.describe().shards
    owner = live_owner()
    state = StreamState(
        app.dynamodb, settings.streams_table, "projections", source.describe().label, owner, 1
    )
    assert state.acquire(shard.shard_id) is not None
    stop, thread = renewing_shard(state, shard.shard_id)
    said: list[str] = []
    monkeypatch.setattr(project_cmd, "err", said.append)
    try:
        run = cli_runner(settings, monkeypatch, capsys)
        code, lines = run(
            "project", "--until-idle", "--lease-seconds", "1", "--poll-interval", "0.05"
        )
    finally:
        stop.set()
        thread.join()
    errors = " ".join(said)
    assert code == 1
    assert not lines[-1]["idle"] and lines[-1]["blocked"][0]["holder"] == owner
    assert shard.shard_id in errors and owner in errors and "records behind" in errors


def renewing_shard(state: StreamState, shard_id: str) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(0.2):
            state.renew(shard_id)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return stop, thread


def test_given_a_lease_of_a_dead_process_when_status_then_the_lease_is_marked_dead(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from acme_txn.bootstrap import bootstrap
    from tests.customer_support import register

    app = bootstrap(settings)
    register(app.ledger, "C")
    source = app.shard_source()
    (shard,) = source.describe().shards
    label = source.describe().label
    for owner in (dead_owner(), live_owner()):
        state = StreamState(app.dynamodb, settings.streams_table, "projections", label, owner, 300)
        state.release(shard.shard_id)
        assert state.acquire(shard.shard_id) is not None
        code, lines = cli_runner(settings, monkeypatch, capsys)("status")
        (lease,) = lines[-1]["consumers"][0]["shards"]
        assert code == 0 and lease["lease_owner"] == owner
        assert lease["lease_holder_dead"] is (owner != live_owner())
        state.release(shard.shard_id)
