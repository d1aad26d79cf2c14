"""The pure vocabulary of stream records: sequence numbers, keys, times, iterator positions.

Everything here reads a Lambda-shaped record (a plain dict) and nothing else, so the delivery
logic built on it (``streams.batches``, ``streams.filters``, ``streams.config``) loads neither
boto3 nor powertools; ``tests/unit/test_pure_imports.py`` holds it to that.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from acme_base.keys import account_of_pk

# ShardIteratorType values (and StartingPosition, for the first two)
TRIM_HORIZON = "TRIM_HORIZON"
LATEST = "LATEST"
AFTER_SEQUENCE_NUMBER = "AFTER_SEQUENCE_NUMBER"
AT_SEQUENCE_NUMBER = "AT_SEQUENCE_NUMBER"

Record = dict[str, Any]


def seq_of(record: Record) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def epoch_seconds(value: Any) -> float | None:
    """``ApproximateCreationDateTime`` in epoch seconds (boto3: a datetime; Lambda: a number)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return float(value.timestamp())
    if isinstance(value, int | float):
        return float(value)
    return None


def created_at(record: Record) -> float | None:
    return epoch_seconds(record.get("dynamodb", {}).get("ApproximateCreationDateTime"))


def partition_key(record: Record, hash_attribute: str | None = None) -> str:
    """The partition (hash) key value of the record's item, or its whole key if unknown.

    With a parallelization factor, records of one partition key stay in one ordered lane.
    """
    keys = record.get("dynamodb", {}).get("Keys", {})
    if hash_attribute and hash_attribute in keys:
        keys = {hash_attribute: keys[hash_attribute]}
    return "|".join(
        f"{k}={sorted(v.items()) if isinstance(v, dict) else v}" for k, v in sorted(keys.items())
    )


def account_of(record: Record) -> str | None:
    """The account of a txn event record, from its keys alone (no image parsing)."""
    pk = record.get("dynamodb", {}).get("Keys", {}).get("PK", {})
    return account_of_pk(pk.get("S") if isinstance(pk, dict) else None)
