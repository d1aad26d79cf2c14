"""Where records come from: a small shard-source interface, DynamoDB Streams behind it, and
the pure lineage rule (a child shard is read only after its parent is finished).

DynamoDB Local has one shard, so lineage and splits are tested with ``MemoryShardSource``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from acme_base.aws import Expect, call
from acme_base.errors import BackendError, ConfigError
from streams.keys import AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, LATEST, TRIM_HORIZON

__all__ = [  # the iterator positions live in the pure streams.keys; re-exported as before
    "AFTER_SEQUENCE_NUMBER",
    "AT_SEQUENCE_NUMBER",
    "LATEST",
    "READ_ERRORS",
    "TRIM_HORIZON",
    "DynamoDBShardSource",
    "ExpiredIterator",
    "Page",
    "ShardGone",
    "ShardInfo",
    "ShardSource",
    "StreamInfo",
    "TrimmedData",
    "plan_ready",
]


class ExpiredIterator(BackendError):
    """The shard iterator is older than 15 minutes: get a new one from our position."""


class TrimmedData(BackendError):
    """The position is older than the stream's 24 h retention: records there are gone."""


class ShardGone(BackendError):
    """The shard no longer exists (trimmed away entirely)."""


#: the DynamoDB Streams codes a reader handles, as our errors
READ_ERRORS: Expect = {
    "ExpiredIteratorException": ExpiredIterator,
    "TrimmedDataAccessException": TrimmedData,
    "ResourceNotFoundException": ShardGone,
}


@dataclass(frozen=True)
class ShardInfo:
    shard_id: str
    parent_id: str | None = None
    starting_seq: str = "0"
    ending_seq: str | None = None  # set once the shard is closed

    @property
    def closed(self) -> bool:
        return self.ending_seq is not None


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    next_iterator: str | None  # None: the shard is closed and fully read


@dataclass(frozen=True)
class StreamInfo:
    arn: str
    label: str
    hash_attribute: str | None
    shards: list[ShardInfo] = field(default_factory=list)


class ShardSource(Protocol):
    """The four calls the poller needs; DynamoDB Streams or a synthetic graph for tests."""

    def describe(self) -> StreamInfo: ...

    def iterator(self, shard_id: str, kind: str, seq: str | None = None) -> str: ...

    def read(self, iterator: str, limit: int) -> Page: ...


def plan_ready(shards: Sequence[ShardInfo], finished: Iterable[str]) -> list[ShardInfo]:
    """Shards that may be read now, oldest lineage first.

    A shard is ready when it is not finished and its parent is finished or unknown (a parent
    older than the stream's retention is no longer listed; nothing of it can be read).
    """
    done = set(finished)
    known = {s.shard_id for s in shards}
    ready = [
        s
        for s in shards
        if s.shard_id not in done
        and (s.parent_id is None or s.parent_id not in known or s.parent_id in done)
    ]
    return sorted(ready, key=lambda s: (int(s.starting_seq or 0), s.shard_id))


def _stream_label(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


@dataclass
class DynamoDBShardSource:
    """DynamoDB Streams of one table: DescribeTable -> LatestStreamArn -> DescribeStream."""

    client: Any  # dynamodb
    streams: Any  # dynamodbstreams
    table: str
    _arn: str | None = None

    def stream_arn(self) -> str:
        if self._arn is None:
            what = f"describe table {self.table}"
            table = call(what, self.client.describe_table, TableName=self.table)["Table"]
            arn = table.get("LatestStreamArn")
            if not arn or not (table.get("StreamSpecification") or {}).get("StreamEnabled"):
                raise ConfigError(f"table {self.table} has no enabled stream")
            self._arn = str(arn)
        return self._arn

    def describe(self) -> StreamInfo:
        arn = self.stream_arn()
        shards: list[ShardInfo] = []
        kwargs: dict[str, Any] = {"StreamArn": arn}
        hash_attribute = None
        while True:  # DescribeStream has no boto3 paginator
            what = f"describe stream of {self.table}"
            desc = call(what, self.streams.describe_stream, **kwargs)["StreamDescription"]
            for key in desc.get("KeySchema", []):
                if key.get("KeyType") == "HASH":
                    hash_attribute = key["AttributeName"]
            for s in desc.get("Shards", []):
                rng = s.get("SequenceNumberRange", {})
                shards.append(
                    ShardInfo(
                        s["ShardId"],
                        s.get("ParentShardId"),
                        rng.get("StartingSequenceNumber", "0"),
                        rng.get("EndingSequenceNumber"),
                    )
                )
            last = desc.get("LastEvaluatedShardId")
            if not last:
                break
            kwargs["ExclusiveStartShardId"] = last
        return StreamInfo(arn, _stream_label(arn), hash_attribute, shards)

    def iterator(self, shard_id: str, kind: str, seq: str | None = None) -> str:
        kwargs: dict[str, Any] = {
            "StreamArn": self.stream_arn(),
            "ShardId": shard_id,
            "ShardIteratorType": kind,
        }
        if seq is not None:
            kwargs["SequenceNumber"] = seq
        what = f"get iterator for {shard_id}"
        resp = call(what, self.streams.get_shard_iterator, expect=READ_ERRORS, **kwargs)
        return str(resp["ShardIterator"])

    def read(self, iterator: str, limit: int) -> Page:
        resp = call(
            "get records",
            self.streams.get_records,
            expect=READ_ERRORS,
            ShardIterator=iterator,
            Limit=min(limit, 1000),
        )
        return Page(list(resp.get("Records", [])), resp.get("NextShardIterator"))
