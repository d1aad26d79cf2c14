"""Until idle on the twins (the lease twin, a memory shard): a foreign lease with records
behind is taken from a dead holder at once, waited out when it expires, and ends the run
blocked while a live holder keeps it (a blocked result raises, as ``App.drain`` makes it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from processor.domain.events import FundsCredited
from processor.storage.codec import event_to_item
from streams.config import EsmConfig
from streams.lease_memory import MemoryLeaseTable
from streams.memory import MemoryShardSource
from streams.poller import Poller, RunResult, ShardsHeldElsewhere
from streams.worker import Handler

CFG = EsmConfig(batch_size=2, lease_seconds=30, poll_interval=0.001, idle_polls=1)


def item(seq: int) -> dict[str, Any]:
    return event_to_item(
        FundsCredited(
            account_id="A",
            seq=seq,
            txn_id=f"T{seq}",
            currency="USD",
            amount=1,
            balance_after=seq,
            occurred_at=datetime.now(UTC),
        )
    )


class Clock:
    """Moves a little on every reading, as time passes while a poller runs."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        self.now += 0.01
        return self.now


def setup(records: int, holder: str) -> tuple[MemoryShardSource, MemoryLeaseTable, Clock]:
    source = MemoryShardSource()
    source.add_shard("s")
    for n in range(records):
        source.put("s", item(n))
    table, clock = MemoryLeaseTable(), Clock()
    lease = table.open("projections", source.describe().label, holder, 30, clock)
    assert lease.acquire("s") is not None
    return source, table, clock


def run(source: MemoryShardSource, table: MemoryLeaseTable, clock: Clock,
        dead: set[str], seen: list[str]) -> RunResult:  # fmt: skip
    def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        seen.extend(r["dynamodb"]["SequenceNumber"] for r in event["Records"])
        return {"batchItemFailures": []}

    sink: Handler = handler
    poller = Poller(source=source, handler=sink, client=None, table="t", cfg=CFG, owner="me",
                    clock=clock, leases=table, is_dead=lambda o: o in dead)  # fmt: skip
    return poller.run(until_idle=True, max_seconds=30)


def test_given_a_dead_holder_then_its_shard_is_taken_at_once() -> None:
    source, table, clock = setup(3, "dead")
    seen: list[str] = []
    result = run(source, table, clock, {"dead"}, seen)
    assert result.idle and result.taken_over == ["s"] and len(seen) == 3
    assert clock.now < 1_030  # before the lease would have expired


def test_given_a_live_holder_that_never_renews_then_its_lease_is_waited_out() -> None:
    source, table, clock = setup(3, "stalled")
    seen: list[str] = []
    result = run(source, table, clock, set(), seen)
    assert result.idle and result.taken_over == [] and len(seen) == 3
    assert clock.now >= 1_030


def test_given_a_holder_that_keeps_renewing_then_the_run_ends_blocked() -> None:
    source, table, clock = setup(4, "busy")
    busy = table.open("projections", source.describe().label, "busy", 30, clock)
    real = clock.__call__

    class Renewing(Clock):
        def __call__(self) -> float:
            now = real()
            busy.renew("s")
            return now

    renewing = Renewing()
    renewing.now = clock.now
    seen: list[str] = []
    result = run(source, table, renewing, set(), seen)
    assert not result.idle and seen == []
    assert [(b.shard_id, b.holder, b.records_behind) for b in result.blocked] == [("s", "busy", 4)]
    with pytest.raises(ShardsHeldElsewhere, match="shard s held by busy with 4 records behind"):
        result.raise_if_blocked("projections")
