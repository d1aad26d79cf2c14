"""Lambda-shaped records from GetRecords output, and our pydantic record model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from acme_base.aws import serialize
from processor.domain.events import FundsCredited
from processor.storage.codec import event_to_item
from streams.keys import partition_key
from streams.records import LedgerStreamRecord, to_lambda_record

ARN = "arn:aws:dynamodb:us-east-1:0:table/t-ledger/stream/2026-01-01T00:00:00.000"
WHEN = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def raw(item: dict[str, Any], name: str = "INSERT") -> dict[str, Any]:
    image = serialize(item)
    ddb: dict[str, Any] = {
        "ApproximateCreationDateTime": WHEN,
        "Keys": {"PK": image["PK"], "SK": image["SK"]},
        "SequenceNumber": "000000000000000000042",
        "SizeBytes": 10,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    ddb["OldImage" if name == "REMOVE" else "NewImage"] = image
    return {
        "eventID": "id",
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": ddb,
    }


EVENT_ITEM = event_to_item(
    FundsCredited(
        account_id="A",
        seq=3,
        txn_id="T",
        currency="USD",
        amount=5,
        balance_after=15,
        occurred_at=WHEN,
    )
)


def test_given_get_records_output_then_the_lambda_shape_has_arn_and_epoch_time() -> None:
    record = to_lambda_record(raw(EVENT_ITEM), ARN)
    assert record["eventSourceARN"] == ARN
    assert record["dynamodb"]["ApproximateCreationDateTime"] == WHEN.timestamp()
    assert record["dynamodb"]["NewImage"]["amount"] == {"N": "5"}


def test_given_binary_attributes_then_they_are_base64_like_lambda_sends_them() -> None:
    record = to_lambda_record(
        raw({"PK": "X", "SK": "Y", "blob": b"hi", "nested": {"b": {b"a"}}}), ARN
    )
    image = record["dynamodb"]["NewImage"]
    assert image["blob"] == {"B": "aGk="}
    assert image["nested"] == {"M": {"b": {"BS": ["YQ=="]}}}


def test_given_an_event_item_then_the_model_decodes_the_event() -> None:
    model = LedgerStreamRecord.model_validate(to_lambda_record(raw(EVENT_ITEM), ARN))
    assert model.event is not None and (model.event.account_id, model.event.seq) == ("A", 3)
    assert model.sequence_number == "000000000000000000042"


def test_given_a_non_event_item_or_a_remove_then_there_is_no_event() -> None:
    txn = {"PK": "TXN#T", "SK": "TXN#T", "entity": "txn_record"}
    assert LedgerStreamRecord.model_validate(to_lambda_record(raw(txn), ARN)).event is None
    removed = to_lambda_record(raw(EVENT_ITEM, "REMOVE"), ARN)
    assert LedgerStreamRecord.model_validate(removed).event is None


def test_partition_key_uses_the_hash_attribute() -> None:
    a = to_lambda_record(raw({**EVENT_ITEM, "SK": "TXN#1"}), ARN)
    b = to_lambda_record(raw({**EVENT_ITEM, "SK": "TXN#2"}), ARN)
    assert partition_key(a, "PK") == partition_key(b, "PK")
    assert partition_key(a) != partition_key(b)
