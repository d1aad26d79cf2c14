"""Stream delivery: records/s the local poller delivers to the handler, beside the raw
``GetRecords`` rate of the same stream, measured in the same run on the same backend.

Run: ``.venv/bin/python -m bench.bench_streams [--events N] [--accounts N]``.

The events are appended through the event store (conditional puts, one transaction per
account and chunk), so the stream also holds no idempotency records: every record is an
event. "raw GetRecords" reads the shard from TRIM_HORIZON with Limit=1000 and does nothing
else. The poller rows run the full path (iterator, filter, Lambda-shaped records,
checkpoint per batch) with either a bare handler (returns nothing) or the powertools
``StreamHandler`` (pydantic parsing + BatchProcessor) over a sink that does nothing, so the
projection's own DynamoDB writes are not part of the number (bench_projections has those).
Each poller row is a fresh consumer (own checkpoints) on the same stream; its time runs from
start until the last record reaches the handler.
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from acme_base.settings import Settings
from acme_txn.bootstrap import bootstrap
from bench.common import Rate, backend, fresh_tables
from processor.domain.events import FundsCredited, LedgerEvent
from streams.config import EsmConfig
from streams.filters import EVENTS_ONLY, FilterCriteria
from streams.handlers import CountingMetrics, StreamHandler
from streams.shards import TRIM_HORIZON, DynamoDBShardSource

Handler = Callable[[dict[str, Any], Any], Any]


def write_events(settings: Settings, client: Any, events: int, accounts: int) -> int:
    store = bootstrap(settings, dynamodb=client).event_store
    per_account = events // accounts
    now = datetime.now(UTC)
    for a in range(accounts):
        evs = [
            FundsCredited(
                account_id=f"B{a}",
                seq=s,
                txn_id=f"B{a}-{s}",
                currency="USD",
                amount=100,
                balance_after=100 * s,
                occurred_at=now,
            )
            for s in range(1, per_account + 1)
        ]
        for i in range(0, len(evs), 50):
            store.append(evs[i : i + 50], [])
    return per_account * accounts


def raw_rate(source: DynamoDBShardSource, expected: int) -> Rate:
    shard = source.describe().shards[0].shard_id
    started = time.perf_counter()
    iterator: str | None = source.iterator(shard, TRIM_HORIZON)
    count = 0
    while iterator and count < expected:
        page = source.read(iterator, 1000)
        count += len(page.records)
        iterator = page.next_iterator
    return Rate("raw GetRecords (Limit=1000)", count, time.perf_counter() - started)


class Finish:
    """Counts records reaching the handler; notes when the last one arrived."""

    def __init__(self, expected: int) -> None:
        self.expected, self.count, self.at = expected, 0, 0.0
        self._lock = threading.Lock()

    def saw(self, n: int) -> None:
        with self._lock:
            self.count += n
            if self.count >= self.expected and not self.at:
                self.at = time.perf_counter()


def poller_rate(
    label: str,
    settings: Settings,
    source: DynamoDBShardSource,
    *,
    expected: int,
    make_handler: Callable[[Finish], Handler],
    **cfg: Any,
) -> Rate:
    finish = Finish(expected)
    config = EsmConfig(
        consumer=f"bench{uuid.uuid4().hex[:6]}",
        poll_interval=0.01,
        filters=FilterCriteria([EVENTS_ONLY]),
        **cfg,
    )
    poller = bootstrap(settings).poller(config, source=source, handler=make_handler(finish))
    started = time.perf_counter()
    poller.run(until_idle=True, max_seconds=600)
    end = finish.at or time.perf_counter()
    return Rate(label, finish.count, end - started)


def bare(finish: Finish) -> Handler:
    def handler(event: dict[str, Any], context: Any) -> None:
        finish.saw(len(event["Records"]))

    return handler


def powertools(finish: Finish) -> Handler:
    def sink(events: list[LedgerEvent]) -> frozenset[tuple[str, int]]:
        return frozenset()

    inner = StreamHandler(sink, CountingMetrics())

    def handler(event: dict[str, Any], context: Any) -> Any:
        response = inner(event, context)
        finish.saw(len(event["Records"]))
        return response

    return handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--accounts", type=int, default=30)
    args = parser.parse_args(argv)
    with backend() as base:
        settings, client = fresh_tables(base, "bs")
        started = time.perf_counter()
        n = write_events(settings, client, args.events, args.accounts)
        print(f"wrote {n} events in {time.perf_counter() - started:.1f} s")
        source = bootstrap(settings, dynamodb=client).shard_source()
        assert isinstance(source, DynamoDBShardSource)  # the raw pass reads its iterators
        raw_rate(source, n)  # warm-up pass over the same stream
        rows: list[Rate] = []
        raws: list[Rate] = []
        for label, make, cfg in [
            ("poller, bare handler, batch 100", bare, {"batch_size": 100}),
            ("poller, powertools handler, batch 100", powertools, {"batch_size": 100}),
            ("poller, powertools handler, batch 1000", powertools, {"batch_size": 1000}),
            (
                "poller, powertools handler, batch 100, PF 4",
                powertools,
                {"batch_size": 100, "parallelization_factor": 4},
            ),
        ]:
            raws.append(raw_rate(source, n))  # interleaved: same JVM state for both
            rows.append(poller_rate(label, settings, source, expected=n, make_handler=make, **cfg))
        best = max(raws, key=lambda r: r.per_second)
        print(f"\n== stream delivery, {n} records, one shard (DynamoDB Local)")
        print(
            f"{'what':<46} {'records':>7} {'rec/s':>7} {'raw rec/s':>9} {'x raw':>6}"
            f" {'x best raw':>10}"
        )
        for raw, row in zip(raws, rows, strict=True):
            print(
                f"{row.label:<46} {row.count:>7} {row.per_second:>7.0f} "
                f"{raw.per_second:>9.0f} {row.per_second / raw.per_second:>6.2f}"
                f" {row.per_second / best.per_second:>10.2f}"
            )
        print(
            "raw rec/s: the GetRecords pass (Limit=1000, same stream) run just before the row;"
            f" best raw pass {best.per_second:.0f} rec/s"
        )


if __name__ == "__main__":
    main()
