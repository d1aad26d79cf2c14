"""The powertools handler on Lambda-shaped events, with a recording sink (no backend)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from acme_base.aws import serialize
from processor.domain.events import FundsCredited, LedgerEvent
from processor.storage.codec import event_to_item
from streams.handlers import CountingMetrics, StreamHandler

ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/t-ledger/stream/2026-01-01T00:00:00.000"
_seq = iter(range(1000, 10_000))


def event(account: str, seq: int) -> FundsCredited:
    return FundsCredited(
        account_id=account,
        seq=seq,
        txn_id=f"{account}-{seq}",
        currency="USD",
        amount=100,
        balance_after=100 * seq,
        occurred_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
    )


def lambda_record(item: dict[str, Any]) -> dict[str, Any]:
    image = serialize(item)
    return {
        "eventID": "e",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": ARN,
        "dynamodb": {
            "ApproximateCreationDateTime": 1767322980.0,
            "Keys": {"PK": image["PK"], "SK": image["SK"]},
            "NewImage": image,
            "SequenceNumber": str(next(_seq)).zfill(21),
            "SizeBytes": 200,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


def ev_record(account: str, seq: int) -> dict[str, Any]:
    return lambda_record(event_to_item(event(account, seq)))


class Recorder:
    def __init__(self, fail: frozenset[tuple[str, int]] = frozenset(), boom: bool = False):
        self.calls: list[list[tuple[str, int]]] = []
        self.fail, self.boom = fail, boom

    def __call__(self, events: list[LedgerEvent]) -> frozenset[tuple[str, int]]:
        self.calls.append([(e.account_id, e.seq) for e in events])
        if self.boom:
            raise RuntimeError("projection store down")
        return self.fail


def seqnum(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def failures(response: dict[str, Any]) -> list[str]:
    return [f["itemIdentifier"] for f in response.get("batchItemFailures", [])]


def test_given_a_clean_batch_then_the_sink_gets_all_events_once_and_nothing_fails() -> None:
    records = [ev_record("A", 1), ev_record("B", 1), ev_record("A", 2)]
    sink, metrics = Recorder(), CountingMetrics()
    response = StreamHandler(sink, metrics)({"Records": records}, None)
    assert failures(response) == []
    assert sink.calls == [[("A", 1), ("B", 1), ("A", 2)]]
    assert metrics.totals["RecordsProcessed"] == 3
    assert "IteratorAgeMilliseconds" in metrics.totals


def test_given_the_sink_fails_one_event_then_it_and_later_records_of_its_account_fail() -> None:
    records = [
        ev_record("A", 1),
        ev_record("A", 2),
        ev_record("B", 1),
        ev_record("A", 3),
        ev_record("B", 2),
    ]
    response = StreamHandler(Recorder(fail=frozenset({("A", 2)})))({"Records": records}, None)
    assert failures(response) == [seqnum(records[1]), seqnum(records[3])]


def test_given_a_malformed_event_item_then_it_is_an_item_failure_not_a_crash() -> None:
    bad_item = {**event_to_item(event("A", 2)), "amount": -5}  # violates amount >= 0
    records = [ev_record("A", 1), lambda_record(bad_item), ev_record("B", 1), ev_record("A", 3)]
    sink = Recorder()
    response = StreamHandler(sink)({"Records": records}, None)
    assert failures(response) == [seqnum(records[1]), seqnum(records[3])]
    assert sink.calls == [[("A", 1), ("B", 1)]]  # A3 is held back behind the bad A2


def test_given_non_event_items_then_they_succeed_without_reaching_the_sink() -> None:
    txn = {"PK": "TXN#T1", "SK": "TXN#T1", "entity": "txn_record", "txn_id": "T1"}
    customer = {"PK": "CUST#C1", "SK": "CUST#C1", "entity": "customer"}
    records = [lambda_record(txn), lambda_record(customer), ev_record("A", 1)]
    sink = Recorder()
    assert failures(StreamHandler(sink)({"Records": records}, None)) == []
    assert sink.calls == [[("A", 1)]]


def test_given_the_sink_raises_then_the_whole_batch_fails_as_a_function_error() -> None:
    with pytest.raises(RuntimeError):
        StreamHandler(Recorder(boom=True))({"Records": [ev_record("A", 1)]}, None)


def test_given_every_record_fails_then_powertools_raises_for_the_whole_batch() -> None:
    records = [ev_record("A", 1), ev_record("A", 2)]
    with pytest.raises(BatchProcessingError):
        StreamHandler(Recorder(fail=frozenset({("A", 1)})))({"Records": records}, None)


def test_given_an_empty_batch_when_invoked_by_hand_then_no_failures_and_no_sink_call() -> None:
    sink = Recorder()
    assert StreamHandler(sink, CountingMetrics())({"Records": []}, None) == {
        "batchItemFailures": []
    }
    assert sink.calls == []


def test_each_record_is_parsed_once_per_invocation(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a batch WHEN handled THEN each record's images are decoded once (the model is
    validated once per record, not again by the BatchProcessor): the per-record CPU of a
    projection Lambda is mostly that parse."""
    from streams import records as records_module

    calls: list[object] = []
    real = records_module.deserialize

    def counting(value: Any) -> Any:
        calls.append(value)
        return real(value)

    monkeypatch.setattr(records_module, "deserialize", counting)
    batch = [ev_record("A", 1), ev_record("B", 1), ev_record("A", 2)]
    assert failures(StreamHandler(Recorder())({"Records": batch}, None)) == []
    assert len(calls) == 2 * len(batch)  # Keys and NewImage, once each


def test_a_malformed_record_fails_with_its_validation_error() -> None:
    """GIVEN a record whose event image is invalid WHEN handled THEN its item failure is
    reported with the validation error, as the model gave it."""
    bad_item = {**event_to_item(event("A", 2)), "amount": -5}
    metrics = CountingMetrics()
    records = [lambda_record(bad_item), ev_record("B", 1)]
    handler = StreamHandler(Recorder(), metrics)
    assert failures(handler({"Records": records}, None)) == [seqnum(records[0])]
    assert metrics.totals["RecordsFailed"] == 1 and metrics.totals["RecordsProcessed"] == 1
