"""Lambda's tumbling windows on the local poller (``EsmConfig.tumbling_window_s``): the state
carried between a window's invocations, the final invocation, window boundaries, a failed
invocation retried whole with the window's state as it was, and early termination.

Records come from an in-memory shard graph with chosen creation times; checkpoints and leases
live in the lease table's twin (held to DynamoDB's by tests/contract/test_lease_store_contract.py).
The clock is a counter, so nothing waits."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest

from acme_base.errors import InvalidInput
from acme_txn.bootstrap import App
from streams.config import EsmConfig
from streams.memory import MemoryShardSource
from streams.windows import WindowBook

W = 60
CREATED = (1000, 1010, 1020, 1090)  # windows [960,1020) [1020,1080) [1080,1140)


def item(n: int) -> dict[str, Any]:
    return {"PK": f"ACCT#A{n}", "SK": "TXN#000000000001", "n": n}


class Recorder:
    """A windowed function: counts its records in the state; fails as told."""

    def __init__(self, fail_on: dict[int, str] | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.fail_on = dict(fail_on or {})  # record n -> "raise" | "item" | "nostate" (once)

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        ns = [int(r["dynamodb"]["NewImage"]["n"]["N"]) for r in event["Records"]]
        self.calls.append({"ns": ns, **{k: v for k, v in event.items() if k != "Records"}})
        for n in ns:
            how = self.fail_on.pop(n, None)
            if how == "raise":
                raise RuntimeError(f"boom on {n}")
            if how == "item":
                seq = event["Records"][ns.index(n)]["dynamodb"]["SequenceNumber"]
                return {"state": {"n": -1}, "batchItemFailures": [{"itemIdentifier": seq}]}
            if how == "nostate":
                return {"batchItemFailures": []}
        return {"state": {"n": int(event["state"].get("n", 0)) + len(ns)}}


def run(app: App, fn: Recorder, batch_size: int = 1) -> MemoryShardSource:
    source = MemoryShardSource()
    source.add_shard("s1")
    for n, t in enumerate(CREATED):
        source.put("s1", item(n), created=datetime.fromtimestamp(t, UTC))
    cfg = EsmConfig(
        consumer="windows",
        batch_size=batch_size,
        tumbling_window_s=W,
        poll_interval=0.01,
        retry_backoff=0.0,
    )
    clock = itertools.count(1200.0, 0.001).__next__  # past every window's end
    poller = app.poller(cfg, source=source, handler=fn, clock=clock)
    assert poller.run(until_idle=True, max_seconds=60).idle
    return source


def test_given_windows_when_drained_then_state_is_carried_and_each_window_ends_finally(
    memory_app: App,
) -> None:
    # GIVEN four records in three windows, delivered one per batch
    fn = Recorder()
    source = run(memory_app, fn)
    # THEN each window's invocations carry the state, and one final invocation (no records)
    # gets the whole window's state; the next window starts with a fresh state
    seen = [(c["ns"], c["state"], c["isFinalInvokeForWindow"]) for c in fn.calls]
    assert seen == [
        ([0], {}, False),
        ([1], {"n": 1}, False),
        ([], {"n": 2}, True),
        ([2], {}, False),
        ([], {"n": 1}, True),
        ([3], {}, False),
        ([], {"n": 1}, True),
    ]
    assert [c["window"] for c in fn.calls[:3]] == [
        {"start": "1970-01-01T00:16:00Z", "end": "1970-01-01T00:17:00Z"}
    ] * 3
    first = fn.calls[0]
    assert first["shardId"] == "s1" and first["eventSourceARN"] == source.arn
    assert not any(c["isWindowTerminatedEarly"] for c in fn.calls)


def test_given_a_large_batch_size_then_no_batch_spans_two_windows(memory_app: App) -> None:
    fn = Recorder()
    run(memory_app, fn, batch_size=100)
    # THEN the batches are cut at each window's end
    assert [c["ns"] for c in fn.calls] == [[0, 1], [], [2], [], [3], []]
    assert [c["state"] for c in fn.calls if c["isFinalInvokeForWindow"]] == [
        {"n": 2},
        {"n": 1},
        {"n": 1},
    ]


@pytest.mark.parametrize("how", ["raise", "item", "nostate"])
def test_given_a_failed_invocation_then_it_is_retried_whole_with_the_state_as_it_was(
    memory_app: App, how: str
) -> None:
    # GIVEN a function that fails once on record 1 (an error, an item failure, or no state)
    fn = Recorder(fail_on={1: how})
    run(memory_app, fn)
    # THEN record 1 is delivered again with the state of before the failure, and the window's
    # final state counts every record once
    with_one = [c for c in fn.calls if c["ns"] == [1]]
    assert len(with_one) == 2
    assert with_one[0]["state"] == with_one[1]["state"] == {"n": 1}
    finals = [c["state"] for c in fn.calls if c["isFinalInvokeForWindow"]]
    assert finals == [{"n": 2}, {"n": 1}, {"n": 1}]


def test_given_a_state_over_the_limit_then_the_window_ends_early_and_continues_fresh() -> None:
    book = WindowBook(W, "s1", "arn", max_state_bytes=20)
    rec = {"dynamodb": {"ApproximateCreationDateTime": 1000, "SequenceNumber": "1"}}
    book.event([rec], 1000.0)
    assert book.accept({"state": {"big": "x" * 30}}, final=False) is None
    # THEN the next invocation is final and flagged early, with the big state
    assert book.final_due([], 1001.0)
    final = book.event([], 1001.0, final=True)
    assert final["isFinalInvokeForWindow"] and final["isWindowTerminatedEarly"]
    assert final["state"] == {"big": "x" * 30}
    assert book.accept({"state": {}}, final=True) is None
    # AND the same window goes on with a fresh state
    again = book.event([rec], 1002.0)
    assert again["state"] == {} and again["window"]["start"] == "1970-01-01T00:16:00Z"
    assert not again["isWindowTerminatedEarly"]


@pytest.mark.parametrize(
    "bad",
    [
        {"tumbling_window_s": 901},
        {"tumbling_window_s": -1},
        {"tumbling_window_s": 60, "parallelization_factor": 2},
        {"tumbling_window_s": 60, "bisect_on_error": True},
    ],
)
def test_given_bad_window_settings_then_they_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        EsmConfig(**bad)
