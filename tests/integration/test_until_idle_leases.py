"""A run until idle never reports idle while a shard has records behind: a shard leased by
another holder is waited for (its lease expires, or its holder is provably dead and loses it
at once), and one not got in time ends the run blocked, naming the shard, its holder and the
records behind. The leases are on DynamoDB Local; the shard graph is synthetic."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from acme_base.aws import dynamodb_client
from acme_base.settings import Settings
from acme_txn.cli import project_cmd
from processor.domain.events import FundsCredited
from processor.storage.codec import event_to_item
from streams.config import EsmConfig
from streams.memory import MemoryShardSource
from streams.state import StreamState
from tests.cli_support import cli_runner
from tests.streams_support import RecordingSink, make_poller

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


def source_with(records: int) -> tuple[MemoryShardSource, list[str]]:
    source = MemoryShardSource()
    source.add_shard("s")
    return source, [source.put("s", item("A", n)) for n in range(records)]


def holder(settings: Settings, source: MemoryShardSource, owner: str, lease: float) -> StreamState:
    state = StreamState(
        dynamodb_client(settings),
        settings.streams_table,
        "projections",
        source.describe().label,
        owner,
        lease,
    )
    assert state.acquire("s") is not None
    return state


def test_given_a_lease_held_by_a_dead_process_when_until_idle_then_it_takes_over_at_once(
    settings: Settings,
) -> None:
    source, seqs = source_with(5)
    dead = holder(settings, source, dead_owner(), lease=300)
    dead.checkpoint("s", seqs[1])  # it had done two records when it was killed
    sink = RecordingSink()
    cfg = EsmConfig(batch_size=2, lease_seconds=300, **FAST)
    result = make_poller(settings, sink, cfg, source=source).run(until_idle=True, max_seconds=30)
    assert sink.delivered == [("A", 2), ("A", 3), ("A", 4)]
    assert result.idle and result.taken_over == ["s"]


def test_given_a_live_holder_that_stops_renewing_when_until_idle_then_it_waits_the_lease_out(
    settings: Settings,
) -> None:
    source, _ = source_with(3)
    holder(settings, source, live_owner(), lease=1)
    sink = RecordingSink()
    cfg = EsmConfig(batch_size=2, lease_seconds=1, **FAST)
    result = make_poller(settings, sink, cfg, source=source).run(until_idle=True, max_seconds=30)
    assert sink.delivered == [("A", 0), ("A", 1), ("A", 2)]
    assert result.idle and result.taken_over == []


def renewing(state: StreamState) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(0.2):
            state.renew("s")

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return stop, thread


def test_given_a_live_holder_that_keeps_its_lease_when_until_idle_then_it_ends_blocked(
    settings: Settings,
) -> None:
    source, _ = source_with(4)
    owner = live_owner()
    stop, thread = renewing(holder(settings, source, owner, lease=1))
    try:
        sink = RecordingSink()
        cfg = EsmConfig(batch_size=2, lease_seconds=1, **FAST)
        poller = make_poller(settings, sink, cfg, source=source)
        result = poller.run(until_idle=True, max_seconds=30)
    finally:
        stop.set()
        thread.join()
    assert not result.idle and sink.delivered == []
    (blocked,) = result.blocked
    assert (blocked.shard_id, blocked.holder, blocked.records_behind) == ("s", owner, 4)
    message = result.blocked_message("projections")
    assert "shard s" in message and owner in message and "4 records behind" in message


def test_given_a_live_holder_with_nothing_behind_when_until_idle_then_it_is_idle(
    settings: Settings,
) -> None:
    source, seqs = source_with(2)
    state = holder(settings, source, live_owner(), lease=300)
    state.checkpoint("s", seqs[-1])
    sink = RecordingSink()
    result = make_poller(settings, sink, EsmConfig(**FAST), source=source).run(
        until_idle=True, max_seconds=30
    )
    assert result.idle and sink.delivered == [] and result.blocked == []


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
