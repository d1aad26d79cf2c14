"""`status` measures lag from the oldest unprocessed record (when the ledger recorded it) to
now, and never prints "None"."""

from __future__ import annotations

from datetime import UTC, datetime

from acme_txn.cli.status_cmd import status_text
from streams.lag import ConsumerLag, ShardLag, created_at

WRITTEN = datetime(2026, 12, 7, 6, 30, 58, 500000, tzinfo=UTC)


def record() -> dict[str, object]:
    """A stream record as DynamoDB Local gives it: the creation time cut to the minute."""
    return {
        "dynamodb": {
            "ApproximateCreationDateTime": datetime(2026, 12, 7, 6, 30, tzinfo=UTC),
            "NewImage": {"recorded_at": {"S": WRITTEN.isoformat()}, "seq": {"N": "3"}},
        }
    }


def test_given_a_record_cut_to_the_minute_when_aged_then_from_when_it_was_recorded() -> None:
    assert created_at(record()) == WRITTEN.timestamp()
    lag = ConsumerLag(
        "projections", "s", [ShardLag("sh-1", False, "42", False, None, 0, 1, False,
                                       created_at(record()))],
        now=WRITTEN.timestamp() + 2,
    )  # fmt: skip
    assert lag.lag_seconds == 2.0


def test_given_no_checkpoint_and_unknown_lag_when_shown_then_no_none() -> None:
    shard = ShardLag("shardId-0001", False, None, False, None, 0, 3, False, None)
    lag = ConsumerLag("fraud", "stream", [shard], now=1.0)
    data = {"at": "2026-12-07T06:31:00Z", "projection_lag_seconds": None,
            "consumers": [lag.to_json()], "tables": []}  # fmt: skip
    text = status_text(data)
    assert "None" not in text and "none yet" in text and "projection lag unknown" in text
