"""Leases and shard lineage: two pollers never process one shard at once; children wait for
their parent (a synthetic shard graph, since DynamoDB Local has one shard). The poller's own
logic on a synthetic shard (lineage, trimmed data, LATEST, parallel lanes, batching windows)
runs on the lease twin: tests/app/test_consumer_poller_twins.py."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from acme_base.aws import dynamodb_client
from acme_base.settings import Settings
from processor.domain.events import FundsCredited
from processor.services.ledger import Ledger
from processor.storage.codec import event_to_item
from streams.config import EsmConfig
from streams.memory import MemoryShardSource
from streams.state import LeaseLost, StreamState
from tests.customer_support import register
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


def test_given_two_pollers_on_one_shard_then_no_record_is_processed_twice(
    settings: Settings, ledger: Ledger
) -> None:
    register(ledger, "C")
    ledger.submit_raw(
        {
            "type": "open_account",
            "occurred_at": "2000-01-01T00:00:00Z",
            "account_id": "A",
            "customer_id": "C",
        }
    )
    for i in range(20):
        ledger.submit_raw(
            {"type": "credit", "txn_id": f"T{i}", "account_id": "A", "amount": "1.00"}
        )
    barrier = threading.Barrier(2)
    slow = threading.Event()
    sinks = [RecordingSink(on_batch=lambda _: slow.wait(0.05)) for _ in range(2)]
    pollers = [
        make_poller(settings, s, EsmConfig(batch_size=3, lease_seconds=30, **FAST), owner=f"p{i}")
        for i, s in enumerate(sinks)
    ]
    results: list[Any] = [None, None]

    def run(i: int) -> None:
        barrier.wait()
        results[i] = pollers[i].run(until_idle=True, max_seconds=60)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    delivered = sinks[0].delivered + sinks[1].delivered
    assert Counter(delivered) == Counter([("A", n) for n in range(21)])  # once each
    # either the second poller found the shard leased, or (on a very slow machine) it came
    # after the first released it and resumed from its checkpoint with nothing left to do
    held = [r.shards_held_elsewhere for r in results]
    assert any(held) or min(len(s.delivered) for s in sinks) == 0


def test_given_a_lease_taken_over_then_the_old_owner_cannot_checkpoint(settings: Settings) -> None:
    client = dynamodb_client(settings)
    now = [1000.0]
    a = StreamState(client, settings.streams_table, "c", "label", "A", 10, lambda: now[0])
    b = StreamState(client, settings.streams_table, "c", "label", "B", 10, lambda: now[0])
    assert a.acquire("s1") is not None
    assert b.acquire("s1") is None  # held by A
    a.checkpoint("s1", "00042")
    now[0] += 11  # A stalls past its lease
    taken = b.acquire("s1")
    assert taken is not None and taken.checkpoint == "00042" and taken.owner == "B"
    try:
        a.checkpoint("s1", "00099")
        raise AssertionError("a lost lease must not checkpoint")
    except LeaseLost:
        pass
    assert b.load_all()["s1"].checkpoint == "00042"


def test_given_an_old_record_in_memory_source_then_age_is_measured_from_creation(
    settings: Settings,
) -> None:
    source = MemoryShardSource()
    source.add_shard("s")
    source.put("s", item("A", 0), created=datetime.now(UTC) - timedelta(hours=2))
    source.put("s", item("A", 1))
    sink = RecordingSink()
    result = make_poller(settings, sink, EsmConfig(max_record_age=3600, **FAST), source=source).run(
        until_idle=True, max_seconds=30
    )
    assert sink.delivered == [("A", 1)] and result.stats.aged_out == 1


def test_given_a_batch_slower_than_the_lease_then_background_renewal_keeps_the_shard(
    settings: Settings,
) -> None:
    source = MemoryShardSource()
    source.add_shard("s")
    for n in range(4):
        source.put("s", item("A", n))
    in_batch, probed = threading.Event(), threading.Event()

    def slow_first_batch(keys: list[tuple[str, int]]) -> None:
        if keys[0] == ("A", 0):
            in_batch.set()
            probed.wait(30)

    sink = RecordingSink(on_batch=slow_first_batch)
    poller = make_poller(
        settings,
        sink,
        EsmConfig(batch_size=2, lease_seconds=1.5, **FAST),
        source=source,
        owner="slow",
    )
    thread = threading.Thread(target=lambda: poller.run(until_idle=True, max_seconds=60))
    thread.start()
    try:
        assert in_batch.wait(30)
        threading.Event().wait(2.5)  # longer than the lease: only renewal can keep it
        rival = StreamState(
            dynamodb_client(settings),
            settings.streams_table,
            "projections",
            source.describe().label,
            "rival",
            lease_seconds=1.5,
        )
        assert rival.acquire("s") is None
    finally:
        probed.set()
        thread.join(60)
    assert sink.delivered == [("A", n) for n in range(4)]  # no lease lost, no redelivery
