"""An in-memory shard graph with DynamoDB Streams' behaviour, for tests of lineage, splits,
expired iterators and trimmed data (DynamoDB Local only ever has one shard)."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from acme_base.aws import serialize
from streams.keys import AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, LATEST, TRIM_HORIZON
from streams.shards import (
    ExpiredIterator,
    Page,
    ShardGone,
    ShardInfo,
    StreamInfo,
    TrimmedData,
)

ARN = "arn:aws:dynamodb:local:000000000000:table/memory/stream/2026-01-01T00:00:00.000"


@dataclass
class _Shard:
    info: ShardInfo
    records: list[dict[str, Any]] = field(default_factory=list)
    trimmed_below: int = 0  # records with seq < this are gone


@dataclass
class MemoryShardSource:
    """Shards with parents, records with global sequence numbers, and fault injection."""

    arn: str = ARN
    shards: dict[str, _Shard] = field(default_factory=dict)
    expire_next_reads: int = 0  # this many ``read`` calls raise ExpiredIterator
    reads: int = 0
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(100))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_shard(self, shard_id: str, parent_id: str | None = None) -> None:
        with self._lock:
            start = str(next(self._seq))
            self.shards[shard_id] = _Shard(ShardInfo(shard_id, parent_id, start))

    def put(
        self,
        shard_id: str,
        item: dict[str, Any],
        event_name: str = "INSERT",
        created: datetime | None = None,
    ) -> str:
        """Append a record for ``item`` (plain values; PK/SK are its keys)."""
        with self._lock:
            shard = self.shards[shard_id]
            if shard.info.closed:
                raise ValueError(f"shard {shard_id} is closed")
            seq = str(next(self._seq)).zfill(21)
            image = serialize(item)
            shard.records.append(
                {
                    "eventID": f"ev-{seq}",
                    "eventName": event_name,
                    "eventVersion": "1.1",
                    "eventSource": "aws:dynamodb",
                    "awsRegion": "local",
                    "dynamodb": {
                        "ApproximateCreationDateTime": created or datetime.now(UTC),
                        "Keys": {k: image[k] for k in ("PK", "SK") if k in image},
                        "NewImage": image,
                        "SequenceNumber": seq,
                        "SizeBytes": 100,
                        "StreamViewType": "NEW_AND_OLD_IMAGES",
                    },
                }
            )
            return seq

    def close(self, shard_id: str) -> None:
        with self._lock:
            shard = self.shards[shard_id]
            last = (
                shard.records[-1]["dynamodb"]["SequenceNumber"]
                if shard.records
                else shard.info.starting_seq
            )
            shard.info = ShardInfo(
                shard.info.shard_id, shard.info.parent_id, shard.info.starting_seq, last
            )

    def trim(self, shard_id: str, below_seq: str) -> None:
        with self._lock:
            self.shards[shard_id].trimmed_below = int(below_seq)

    # --- ShardSource ----------------------------------------------------------------------

    def describe(self) -> StreamInfo:
        with self._lock:
            return StreamInfo(
                self.arn, self.arn.rsplit("/", 1)[-1], "PK", [s.info for s in self.shards.values()]
            )

    def iterator(self, shard_id: str, kind: str, seq: str | None = None) -> str:
        with self._lock:
            shard = self.shards.get(shard_id)
            if shard is None:
                raise ShardGone(shard_id)
            seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in shard.records]
            if kind == TRIM_HORIZON:
                pos = next((i for i, s in enumerate(seqs) if s >= shard.trimmed_below), len(seqs))
            elif kind == LATEST:
                pos = len(seqs)
            else:
                assert seq is not None
                if int(seq) < shard.trimmed_below:
                    raise TrimmedData(f"{seq} is trimmed")
                after = kind == AFTER_SEQUENCE_NUMBER
                assert after or kind == AT_SEQUENCE_NUMBER
                pos = next(
                    (
                        i
                        for i, s in enumerate(seqs)
                        if s > int(seq) or (not after and s == int(seq))
                    ),
                    len(seqs),
                )
            return f"{shard_id}|{pos}"

    def read(self, iterator: str, limit: int) -> Page:
        with self._lock:
            self.reads += 1
            if self.expire_next_reads > 0:
                self.expire_next_reads -= 1
                raise ExpiredIterator("injected: iterator expired")
            shard_id, pos_text = iterator.split("|")
            shard = self.shards[shard_id]
            pos = int(pos_text)
            if (
                pos < len(shard.records)
                and int(shard.records[pos]["dynamodb"]["SequenceNumber"]) < shard.trimmed_below
            ):
                raise TrimmedData("injected: records at the iterator were trimmed")
            batch = shard.records[pos : pos + min(limit, 1000)]
            end = pos + len(batch)
            done = shard.info.closed and end >= len(shard.records)
            return Page([dict(r) for r in batch], None if done else f"{shard_id}|{end}")
