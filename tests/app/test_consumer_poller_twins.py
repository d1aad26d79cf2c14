"""The local poller's own logic on the twins (a synthetic memory shard or the ledger's stream
twin, the lease twin): shard lineage, trimmed data at the checkpoint, LATEST, parallel lanes
with a failing account, batching windows, and its metric lines. Leases' conditions and
DynamoDB Streams stay on DynamoDB Local: tests/integration/test_streams_leases.py,
test_streams_poller.py."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from acme_txn.bootstrap import App
from streams.config import EsmConfig
from streams.memory import MemoryShardSource
from streams.poller import Poller
from tests.app.cli_twins import twin_app
from tests.app.stream_twins import streamed_app
from tests.integration.test_status_freshness import _submit
from tests.integration.test_streams_leases import FAST, item
from tests.streams_support import RecordingSink

MakePoller = Callable[..., Poller]


@pytest.fixture
def twins() -> App:
    return twin_app()


@pytest.fixture
def make_poller(twins: App) -> MakePoller:
    """``make_poller(sink, cfg, source=..., **kw)``: a poller of one app on the twins (its
    lease twin shared by the test's pollers, as the streams table is)."""
    app = twins

    def make(sink: Any, cfg: EsmConfig | None = None, **kwargs: Any) -> Poller:
        return app.poller(cfg or EsmConfig(), sink=sink, **kwargs)

    return make


@pytest.fixture
def bank() -> App:
    """A1 with three declined debits, on the twins with a streamed log."""
    app = streamed_app()
    app.ledger.submit_raw(
        {"type": "register_customer", "customer_id": "C1", "name": "Ada Li",
         "phone": "+12125550101", "state": "NY", "special_status": []}
    )  # fmt: skip
    opened = app.ledger.submit_raw(
        {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
         "account_id": "A1", "customer_id": "C1", "currency": "USD"}
    )  # fmt: skip
    assert opened.status == "opened"
    _submit(app, 1, 3)
    return app


def test_given_a_split_shard_then_children_are_read_only_after_the_parent(
    twins: App, make_poller: MakePoller
) -> None:
    source = MemoryShardSource()
    source.add_shard("parent")
    for n in range(4):
        source.put("parent", item("P", n))
    source.close("parent")
    source.add_shard("left", "parent")
    source.add_shard("right", "parent")
    for n in range(3):
        source.put("left", item("L", n))
        source.put("right", item("R", n))
    source.close("left")
    source.add_shard("grandchild", "left")
    source.put("grandchild", item("L", 3))
    sink = RecordingSink()
    result = make_poller(sink, EsmConfig(batch_size=2, **FAST), source=source).run(
        until_idle=True, max_seconds=60
    )
    assert result.idle
    order = sink.delivered
    assert Counter(order) == Counter(
        [(a, n) for a in "PLR" for n in range(3)] + [("P", 3), ("L", 3)]
    )
    last_parent = max(i for i, (a, _) in enumerate(order) if a == "P")
    first_child = min(i for i, (a, _) in enumerate(order) if a != "P")
    assert last_parent < first_child
    assert [n for a, n in order if a == "L"] == [0, 1, 2, 3]  # grandchild after its parent
    saved = twins.lease_table.open(
        "projections", source.describe().label, "x", 60, time.time
    ).load_all()
    assert saved["parent"].finished and saved["left"].finished
    assert not saved["right"].finished  # still open


def test_given_trimmed_data_at_the_checkpoint_then_the_poller_resumes_at_trim_horizon(
    make_poller: MakePoller,
) -> None:
    source = MemoryShardSource()
    source.add_shard("s")
    seqs = [source.put("s", item("A", n)) for n in range(6)]
    sink = RecordingSink()
    cfg = EsmConfig(batch_size=2, **FAST)
    make_poller(sink, cfg, source=source).run(until_idle=True, max_seconds=30)
    for n in range(6, 10):
        seqs.append(source.put("s", item("A", n)))
    source.trim("s", seqs[8])  # records 6 and 7 expired before we came back
    sink2 = RecordingSink()
    result = make_poller(sink2, cfg, source=source).run(until_idle=True, max_seconds=30)
    assert result.stats.trimmed == 1
    assert sink2.delivered == [("A", 8), ("A", 9)]


def test_given_latest_then_only_records_written_after_the_start_are_delivered(
    make_poller: MakePoller,
) -> None:
    source = MemoryShardSource()
    source.add_shard("s")
    for n in range(3):
        source.put("s", item("old", n))
    sink = RecordingSink()
    poller = make_poller(sink, EsmConfig(starting_position="LATEST", **FAST), source=source)
    sink.on_batch = lambda keys: poller.stop() if ("new", 1) in keys else None
    thread = threading.Thread(target=lambda: poller.run(max_seconds=60))
    thread.start()
    try:
        for _ in range(600):  # wait (bounded) until the poller holds an iterator
            worker = poller._workers.get("s")
            if worker is not None and worker.iterator is not None:
                break
            threading.Event().wait(0.05)
        source.put("s", item("new", 0))
        source.put("s", item("new", 1))
    finally:
        thread.join(60)
    assert sink.delivered == [("new", 0), ("new", 1)]


def test_given_parallel_lanes_and_a_failing_account_then_other_lanes_flow_and_order_holds(
    make_poller: MakePoller,
) -> None:
    source = MemoryShardSource()
    source.add_shard("s")
    for n in range(6):
        for account in ("A", "B", "C", "D"):
            source.put("s", item(account, n))
    sink = RecordingSink(poison=frozenset({("B", 2)}), fail_times=2)
    result = make_poller(
        sink, EsmConfig(batch_size=3, parallelization_factor=4, **FAST), source=source
    ).run(until_idle=True, max_seconds=60)
    assert result.idle and sink.failures[("B", 2)] == 2
    for account in "ABCD":
        firsts: list[int] = []
        for n in (n for a, n in sink.delivered if a == account):
            if n not in firsts:
                firsts.append(n)
        assert firsts == list(range(6))  # first deliveries in order, none missing
    b_batches = [b for b in sink.batches if any(a == "B" for a, _ in b)]
    assert all(next(k for k in b if k[0] == "B") == ("B", 2) for b in b_batches[1:3])


class Ticker:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_given_a_batching_window_then_records_from_several_reads_form_one_batch(
    make_poller: MakePoller,
) -> None:
    source = MemoryShardSource()
    source.add_shard("s")
    for n in range(5):
        source.put("s", item("A", n))
    windowed, eager = RecordingSink(), RecordingSink()
    base = {"fetch_limit": 1, "batch_size": 3, **FAST}  # one record per GetRecords
    make_poller(windowed, EsmConfig(batching_window=30, **base), source=source, clock=Ticker()).run(
        until_idle=True, max_seconds=60
    )
    make_poller(eager, EsmConfig(consumer="eager", **base), source=source, clock=Ticker()).run(
        until_idle=True, max_seconds=60
    )
    assert [len(b) for b in windowed.batches] == [3, 2]  # full batch at once, rest at window end
    assert [len(b) for b in eager.batches] == [1, 1, 1, 1, 1]  # no window: each read goes


def test_given_a_metrics_interval_when_the_poller_runs_then_json_metric_lines(
    bank: App, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = replace(bank.options.consumer, metrics_log_interval=0.001)
    with caplog.at_level(logging.INFO, logger="acme_txn.streams"):
        bank.poller(cfg).run(until_idle=True, max_seconds=60)
    lines = [json.loads(r.message) for r in caplog.records if '"stream_consumer"' in r.message]
    assert lines and lines[-1]["consumer"] == cfg.consumer
    assert {"records_pending", "retries_in_flight", "shards", "delivered"} <= set(lines[-1])


def test_given_the_default_config_when_the_poller_runs_then_no_metric_lines(
    bank: App, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="acme_txn.streams"):
        bank.drain()
    assert not [r for r in caplog.records if '"stream_consumer"' in r.message]
