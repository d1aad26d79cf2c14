"""Failure paths on DynamoDB Local: partial batch failures, retries, DLQ, bisect, the handler
on real stream records."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from acme_base.aws import dynamodb_client, streams_client
from acme_base.settings import Settings
from processor.services.ledger import Ledger
from streams.config import EsmConfig
from streams.dlq import RETRIES_EXHAUSTED, DeadLetters
from streams.filters import EVENTS_ONLY, FilterCriteria
from streams.handlers import StreamHandler
from streams.records import to_lambda_record
from streams.shards import TRIM_HORIZON, DynamoDBShardSource
from tests.customer_support import register
from tests.streams_support import RecordingSink, make_poller

FAST = {"poll_interval": 0.05, "retry_backoff": 0.01, "lease_seconds": 10.0}
# stream order of the events below: A0 B0 A1 A2 A3 B1 B2 A4 B3
ALL = [("A", 0), ("B", 0), ("A", 1), ("A", 2), ("A", 3), ("B", 1), ("B", 2), ("A", 4), ("B", 3)]


def write_fixture(ledger: Ledger) -> None:
    register(ledger, "C")
    for a in "AB":
        ledger.submit_raw({"type": "open_account", "account_id": a, "customer_id": "C"})
    txn_ids = itertools.count()
    for account, n in [("A", 3), ("B", 2), ("A", 1), ("B", 1)]:
        for _ in range(n):
            ledger.submit_raw(
                {
                    "type": "credit",
                    "txn_id": f"T{next(txn_ids)}",
                    "account_id": account,
                    "amount": "2.00",
                }
            )


def cfg(**kw: Any) -> EsmConfig:
    return EsmConfig(filters=FilterCriteria([EVENTS_ONLY]), **{**FAST, **kw})


def dead(settings: Settings, consumer: str = "projections") -> list[tuple[str, int]]:
    letters = DeadLetters(dynamodb_client(settings), settings.streams_table, consumer).list()
    keys = []
    for d in letters:
        image = d.record["dynamodb"]["NewImage"]
        keys.append((image["account_id"]["S"], int(image["seq"]["N"])))
        assert d.condition == RETRIES_EXHAUSTED and d.error
    return keys


def test_given_a_transient_item_failure_then_redelivery_starts_at_the_lowest_failed_record(
    settings: Settings, ledger: Ledger
) -> None:
    write_fixture(ledger)
    sink = RecordingSink(poison=frozenset({("A", 2)}), fail_times=1)
    make_poller(settings, sink, cfg(batch_size=4)).run(until_idle=True, max_seconds=60)
    assert sink.batches[0] == ALL[0:4]
    assert sink.batches[1] == ALL[3:7]  # from A2, the failed one; A0 B0 A1 not again
    assert Counter(sink.delivered) == Counter(ALL) + Counter([("A", 2)])
    assert dead(settings) == []


def test_given_a_poison_record_then_it_is_retried_to_the_limit_dead_lettered_and_the_rest_flow(
    settings: Settings, ledger: Ledger
) -> None:
    write_fixture(ledger)
    sink = RecordingSink(poison=frozenset({("A", 2)}))
    result = make_poller(settings, sink, cfg(batch_size=4, max_retry_attempts=2)).run(
        until_idle=True, max_seconds=60
    )
    assert result.idle
    assert sink.failures[("A", 2)] == 3  # the first try and two retries
    # Lambda discards the batch being retried: what failed in it goes to the DLQ (A3 was
    # failed to keep A's order), what succeeded in it (B1, B2) is not dead-lettered
    assert dead(settings) == [("A", 2), ("A", 3)]
    later = sink.batches[-1]
    assert later == [("A", 4), ("B", 3)]  # the records after the discarded batch flow
    assert {("B", 1), ("B", 2)} <= set(sink.delivered)


def test_given_a_batch_crashing_poison_then_bisect_isolates_it_and_only_it_is_dead(
    settings: Settings, ledger: Ledger
) -> None:
    write_fixture(ledger)
    sink = RecordingSink(raise_on=frozenset({("A", 2)}))
    make_poller(settings, sink, cfg(batch_size=8, bisect_on_error=True, max_retry_attempts=1)).run(
        until_idle=True, max_seconds=60
    )
    assert dead(settings) == [("A", 2)]
    assert sink.batches.count([("A", 2)]) == 2  # alone, tried once and retried once
    clean = [b for b in sink.batches if ("A", 2) not in b]
    assert {k for b in clean for k in b} == set(ALL) - {("A", 2)}
    # without bisect the same poison takes its whole batch down with it
    sink2 = RecordingSink(raise_on=frozenset({("A", 2)}))
    make_poller(settings, sink2, cfg(consumer="nobisect", batch_size=8, max_retry_attempts=1)).run(
        until_idle=True, max_seconds=60
    )
    assert dead(settings, "nobisect") == ALL[:8]
    assert sink2.batches[-1] == [("B", 3)]


def test_given_real_stream_records_in_a_lambda_event_then_the_handler_reports_failures(
    settings: Settings, ledger: Ledger
) -> None:
    write_fixture(ledger)
    source = DynamoDBShardSource(
        dynamodb_client(settings), streams_client(settings), settings.ledger_table
    )
    info = source.describe()
    page = source.read(source.iterator(info.shards[0].shard_id, TRIM_HORIZON), 1000)
    records = [to_lambda_record(r, info.arn) for r in page.records]
    event = {"Records": records}
    sink = RecordingSink(poison=frozenset({("A", 1)}))
    response = StreamHandler(sink)(event, None)
    failed = [f["itemIdentifier"] for f in response["batchItemFailures"]]
    expected = [
        r["dynamodb"]["SequenceNumber"]
        for r in records
        if r["dynamodb"]["Keys"]["PK"]["S"] == "ACCT#A"
        and int(r["dynamodb"]["Keys"]["SK"]["S"][4:]) >= 1
    ]
    assert failed == expected and len(failed) == 4  # A1 and every later A event
    assert all(r["eventSourceARN"] == info.arn for r in records)
    assert isinstance(records[0]["dynamodb"]["ApproximateCreationDateTime"], float)
    assert sink.batches == [ALL]  # non-event items never reach the sink
