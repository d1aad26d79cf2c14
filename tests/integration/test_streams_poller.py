"""The local poller on DynamoDB Local: order, restart, filters, record age, expired iterators."""

from __future__ import annotations

from collections import Counter
from typing import Any

from acme_base.aws import dynamodb_client, streams_client
from acme_base.settings import Settings
from processor.services.ledger import Ledger
from streams.config import EsmConfig
from streams.dlq import RECORD_AGE_EXCEEDED, DeadLetters
from streams.filters import EVENTS_ONLY, FilterCriteria
from streams.shards import DynamoDBShardSource, ExpiredIterator, Page
from streams.state import StreamState
from tests.customer_support import register
from tests.streams_support import RecordingSink, make_poller

FAST = {"poll_interval": 0.05, "retry_backoff": 0.01, "lease_seconds": 10.0}


def cfg(**kw: Any) -> EsmConfig:
    return EsmConfig(filters=FilterCriteria([EVENTS_ONLY]), **{**FAST, **kw})


def write(
    ledger: Ledger, accounts: list[str], credits: int, tag: str = ""
) -> list[tuple[str, int]]:
    """Open accounts (if new) and credit each ``credits`` times, interleaved."""
    keys = []
    for a in accounts:
        if ledger.store.head(a) is None:
            register(ledger, f"C{a}")
            ledger.submit_raw({"type": "open_account", "account_id": a, "customer_id": f"C{a}"})
            keys.append((a, 0))
    for i in range(credits):
        for a in accounts:
            out = ledger.submit_raw(
                {"type": "credit", "txn_id": f"{tag}{a}-{i}", "account_id": a, "amount": "1.00"}
            )
            assert out.seq is not None
            keys.append((a, out.seq))
    return keys


def test_given_interleaved_accounts_when_drained_in_parallel_then_each_key_keeps_its_order(
    settings: Settings, ledger: Ledger
) -> None:
    written = write(ledger, ["A", "B", "C"], credits=6)
    sink = RecordingSink()
    result = make_poller(settings, sink, cfg(batch_size=4, parallelization_factor=3)).run(
        until_idle=True, max_seconds=60
    )
    assert result.idle
    assert Counter(sink.delivered) == Counter(written)  # each event exactly once
    for account in "ABC":
        seqs = [s for a, s in sink.delivered if a == account]
        assert seqs == sorted(seqs) == list(range(7))
    assert result.stats.filtered > 0  # txn records, customers and accounts were dropped


def test_given_a_stop_mid_stream_when_a_new_poller_starts_then_it_resumes_without_gaps(
    settings: Settings, ledger: Ledger
) -> None:
    first_keys = write(ledger, ["A", "B"], credits=8)
    sink = RecordingSink()
    poller = make_poller(settings, sink, cfg(batch_size=3))

    def stop_after_two(_: list[tuple[str, int]]) -> None:
        if len(sink.batches) == 2:
            poller.stop()  # like SIGTERM arriving while batch 2 is in flight

    sink.on_batch = stop_after_two
    first = poller.run(until_idle=True, max_seconds=60)
    assert not first.idle and len(sink.batches) == 2  # the batch in flight finished
    source = DynamoDBShardSource(
        dynamodb_client(settings), streams_client(settings), settings.ledger_table
    )
    saved = StreamState(
        dynamodb_client(settings),
        settings.streams_table,
        "projections",
        source.describe().label,
        "reader",
    ).load_all()
    (shard,) = saved.values()
    assert shard.checkpoint is not None and shard.owner is None  # checkpointed, released
    seen_first = list(sink.delivered)
    more_keys = write(ledger, ["A", "B"], credits=2, tag="late-")
    sink2 = RecordingSink()
    second = make_poller(settings, sink2, cfg(batch_size=3)).run(until_idle=True, max_seconds=60)
    assert second.idle
    assert Counter(seen_first + sink2.delivered) == Counter(first_keys + more_keys)
    assert not set(seen_first) & set(sink2.delivered)  # the checkpoint was at batch 2's end


def test_given_a_filter_on_image_fields_then_only_matching_events_are_delivered(
    settings: Settings, ledger: Ledger
) -> None:
    write(ledger, ["A"], credits=3)
    ledger.submit_raw({"type": "debit", "txn_id": "D1", "account_id": "A", "amount": "500.00"})
    ledger.submit_raw({"type": "debit", "txn_id": "D2", "account_id": "A", "amount": "1.00"})
    declined_only = {
        "eventName": ["INSERT"],
        "dynamodb": {
            "Keys": {"PK": {"S": [{"prefix": "ACCT#"}]}},
            "NewImage": {"status": {"S": ["declined"]}, "amount": {"N": [{"numeric": [">", 100]}]}},
        },
    }
    sink = RecordingSink()
    result = make_poller(
        settings, sink, EsmConfig(filters=FilterCriteria([declined_only]), **FAST)
    ).run(until_idle=True, max_seconds=60)
    assert sink.delivered == [("A", 4)]  # the declined 500.00 debit, nothing else
    assert result.stats.filtered == result.stats.fetched - 1


def test_given_records_older_than_max_age_then_they_go_to_the_dlq_undelivered(
    settings: Settings, ledger: Ledger
) -> None:
    written = write(ledger, ["A"], credits=2)
    sink = RecordingSink()
    late_clock = make_clock(offset=7200)  # the poller's clock runs two hours ahead
    result = make_poller(settings, sink, cfg(max_record_age=3600), clock=late_clock).run(
        until_idle=True, max_seconds=60
    )
    dead = DeadLetters(dynamodb_client(settings), settings.streams_table, "projections").list()
    assert sink.delivered == []
    assert {d.condition for d in dead} == {RECORD_AGE_EXCEEDED}
    assert len(dead) == len(written) == result.stats.aged_out
    # the same stream under another consumer with no age limit gets everything
    sink2 = RecordingSink()
    make_poller(settings, sink2, cfg(consumer="audit"), clock=late_clock).run(
        until_idle=True, max_seconds=60
    )
    assert sorted(sink2.delivered) == sorted(written)


def make_clock(offset: float) -> Any:
    import time

    return lambda: time.time() + offset


class ExpiringSource(DynamoDBShardSource):
    """The real stream in pages of 3, but the third read fails with an expired iterator."""

    reads = 0

    def read(self, iterator: str, limit: int) -> Page:
        self.reads += 1
        if self.reads == 3:
            raise ExpiredIterator("injected")
        return super().read(iterator, 3)


def test_given_an_expired_iterator_then_the_poller_renews_it_and_skips_nothing(
    settings: Settings, ledger: Ledger
) -> None:
    written = write(ledger, ["A", "B"], credits=3)
    client = dynamodb_client(settings)
    source = ExpiringSource(client, streams_client(settings), settings.ledger_table)
    sink = RecordingSink()
    result = make_poller(settings, sink, cfg(batch_size=2), source=source).run(
        until_idle=True, max_seconds=60
    )
    assert result.stats.expired_iterators == 1 and source.reads > 4
    assert Counter(sink.delivered) == Counter(written)


class Crash(BaseException):
    """Stands in for the process dying mid-batch (not an error the poller may handle)."""


def test_given_a_crash_mid_batch_when_restarted_then_that_batch_is_redelivered_nothing_skipped(
    settings: Settings, ledger: Ledger
) -> None:
    written = write(ledger, ["A", "B"], credits=5)
    sink = RecordingSink()

    def crash_on_third(_: list[tuple[str, int]]) -> None:
        if len(sink.batches) == 3:
            raise Crash()

    sink.on_batch = crash_on_third
    try:
        make_poller(settings, sink, cfg(batch_size=3, lease_seconds=1.0)).run(
            until_idle=True, max_seconds=60
        )
        raise AssertionError("the crash should have propagated")
    except Crash:
        pass
    crashed_batch = sink.batches[2]
    sink2 = RecordingSink()
    make_poller(settings, sink2, cfg(batch_size=3)).run(until_idle=True, max_seconds=60)
    assert sink2.batches[0] == crashed_batch  # resumed at the last checkpoint
    assert Counter(sink.delivered[:6] + sink2.delivered) == Counter(written)
