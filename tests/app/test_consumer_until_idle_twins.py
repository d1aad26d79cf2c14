"""A run until idle never reports idle while a shard has records behind: a shard leased by
another holder is waited for (its lease expires, or its holder is provably dead and loses it
at once), and one not got in time ends the run blocked, naming the shard, its holder and the
records behind. The poller's own logic on the lease twin (``streams.lease_memory``, held to
the DynamoDB lease table by tests/contract/test_lease_store_contract.py) and a synthetic
shard; through the CLI with the leases on DynamoDB Local:
tests/integration/test_until_idle_leases.py."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from acme_txn.bootstrap import App
from streams.config import EsmConfig
from streams.lease_ports import LeaseStore
from streams.memory import MemoryShardSource
from streams.poller import Poller
from tests.app.cli_twins import twin_app
from tests.integration.test_until_idle_leases import FAST, dead_owner, item, live_owner
from tests.streams_support import RecordingSink


@pytest.fixture
def app() -> App:
    return twin_app()


def make_poller(app: App, sink: Any, cfg: EsmConfig, **kwargs: Any) -> Poller:
    return app.poller(cfg, sink=sink, **kwargs)


def source_with(records: int) -> tuple[MemoryShardSource, list[str]]:
    source = MemoryShardSource()
    source.add_shard("s")
    return source, [source.put("s", item("A", n)) for n in range(records)]


def holder(app: App, source: MemoryShardSource, owner: str, lease: float) -> LeaseStore:
    """Another consumer process holding shard ``s`` in the app's lease table."""
    state = app.lease_table.open("projections", source.describe().label, owner, lease, time.time)
    assert state.acquire("s") is not None
    return state


def renewing(state: LeaseStore) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(0.2):
            state.renew("s")

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return stop, thread


def test_given_a_lease_held_by_a_dead_process_when_until_idle_then_it_takes_over_at_once(
    app: App,
) -> None:
    source, seqs = source_with(5)
    dead = holder(app, source, dead_owner(), lease=300)
    dead.checkpoint("s", seqs[1])  # it had done two records when it was killed
    sink = RecordingSink()
    cfg = EsmConfig(batch_size=2, lease_seconds=300, **FAST)
    result = make_poller(app, sink, cfg, source=source).run(until_idle=True, max_seconds=30)
    assert sink.delivered == [("A", 2), ("A", 3), ("A", 4)]
    assert result.idle and result.taken_over == ["s"]


def test_given_a_live_holder_that_stops_renewing_when_until_idle_then_it_waits_the_lease_out(
    app: App,
) -> None:
    source, _ = source_with(3)
    holder(app, source, live_owner(), lease=1)
    sink = RecordingSink()
    cfg = EsmConfig(batch_size=2, lease_seconds=1, **FAST)
    result = make_poller(app, sink, cfg, source=source).run(until_idle=True, max_seconds=30)
    assert sink.delivered == [("A", 0), ("A", 1), ("A", 2)]
    assert result.idle and result.taken_over == []


def test_given_a_live_holder_that_keeps_its_lease_when_until_idle_then_it_ends_blocked(
    app: App,
) -> None:
    source, _ = source_with(4)
    owner = live_owner()
    stop, thread = renewing(holder(app, source, owner, lease=1))
    try:
        sink = RecordingSink()
        cfg = EsmConfig(batch_size=2, lease_seconds=1, **FAST)
        poller = make_poller(app, sink, cfg, source=source)
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
    app: App,
) -> None:
    source, seqs = source_with(2)
    state = holder(app, source, live_owner(), lease=300)
    state.checkpoint("s", seqs[-1])
    sink = RecordingSink()
    result = make_poller(app, sink, EsmConfig(**FAST), source=source).run(
        until_idle=True, max_seconds=30
    )
    assert result.idle and sink.delivered == [] and result.blocked == []
