"""Our stream records: the Lambda event shape and the pydantic models the handler parses.

The poller turns ``GetRecords`` output into exactly what Lambda's event source mapping sends
(``{"Records": [...]}``, each with ``eventSourceARN`` and ``ApproximateCreationDateTime`` as
epoch seconds), so the handler cannot tell the two apart.
"""

from __future__ import annotations

import base64
from typing import Any

from aws_lambda_powertools.utilities.parser.models import (
    DynamoDBStreamChangedRecordModel,
    DynamoDBStreamRecordModel,
)
from pydantic import field_validator, model_validator

from acme_base.aws import deserialize
from processor.domain.events import LedgerEvent
from processor.storage.codec import is_event_item, item_to_event
from streams.keys import epoch_seconds


class LedgerStreamChange(DynamoDBStreamChangedRecordModel):
    """``dynamodb`` of a record, images decoded with boto3's TypeDeserializer (our codec)."""

    @field_validator("Keys", "NewImage", "OldImage", mode="before")
    @classmethod
    def deserialize_field(cls, value: Any) -> Any:  # overrides powertools' deserializer
        return deserialize(value) if isinstance(value, dict) else value


class LedgerStreamRecord(DynamoDBStreamRecordModel):
    """One stream record of the ledger table; ``event`` is set for txn event items.

    An event item (``PK=ACCT#``, ``SK=TXN#``) whose image is not a valid event fails
    validation, which the BatchProcessor reports as an item failure. Other items (txn
    idempotency records, customers, accounts) and REMOVEs parse with ``event = None``.
    """

    dynamodb: LedgerStreamChange
    event: LedgerEvent | None = None

    @model_validator(mode="after")
    def _decode_event(self) -> LedgerStreamRecord:
        image = self.dynamodb.NewImage
        if (
            self.eventName != "REMOVE"
            and isinstance(image, dict)
            and is_event_item(self.dynamodb.Keys)
        ):
            object.__setattr__(self, "event", item_to_event(image))
        return self

    @property
    def sequence_number(self) -> str:
        return self.dynamodb.SequenceNumber


def _jsonable(value: Any) -> Any:
    """Binary attribute values travel base64-encoded in Lambda's JSON event."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


_NESTED = ("B", "BS", "M", "L")


def _json_image(image: Any) -> Any:
    """Convert only attribute values that can hold bytes (most images pass untouched)."""
    if not isinstance(image, dict):
        return image
    if not any(k in av for av in image.values() if isinstance(av, dict) for k in _NESTED):
        return image
    return {name: _jsonable(av) for name, av in image.items()}


def to_lambda_record(raw: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A ``GetRecords`` record as Lambda's ESM delivers it."""
    ddb = dict(raw.get("dynamodb", {}))
    created = epoch_seconds(ddb.get("ApproximateCreationDateTime"))
    if created is not None:
        ddb["ApproximateCreationDateTime"] = created
    for name in ("Keys", "NewImage", "OldImage"):
        if name in ddb:
            ddb[name] = _json_image(ddb[name])
    record: dict[str, Any] = {
        "eventID": raw.get("eventID"),
        "eventName": raw.get("eventName"),
        "eventVersion": raw.get("eventVersion", "1.1"),
        "eventSource": raw.get("eventSource", "aws:dynamodb"),
        "awsRegion": raw.get("awsRegion"),
        "dynamodb": ddb,
        "eventSourceARN": stream_arn,
    }
    if raw.get("userIdentity"):
        record["userIdentity"] = raw["userIdentity"]
    return record
