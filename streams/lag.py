"""How far behind a stream consumer is: per shard, its checkpoint, lease, records not yet
applied and the age of the oldest of them (what ``acme-txn status`` and the reports'
freshness line show).

Records behind are counted by reading the shard from the checkpoint to its tip (at most
``cap`` records: beyond that the count says ``capped``); reading a stream does not move
anyone's checkpoint. A closed shard marked ``finished`` is 0 behind without a read.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from streams.dlq import DeadLetters
from streams.holders import holder_dead
from streams.shards import ShardInfo, ShardSource
from streams.state import ShardState, StreamState

CAP = 10_000  # records read per shard at most to count the backlog
EMPTY_PAGES = 2  # consecutive empty pages taken as "at the tip" of an open shard


def created_at(record: dict[str, Any]) -> float | None:
    """When a stream record's change was made, in epoch seconds: the later of its
    ``ApproximateCreationDateTime`` and the event's own ``recorded_at`` (the ledger's clock,
    in the new image). DynamoDB Local cuts the former to the minute, which made a record
    written two seconds ago look up to a minute old."""
    change = record.get("dynamodb", {})
    value = change.get("ApproximateCreationDateTime")
    approx = (
        value.timestamp()
        if isinstance(value, datetime)
        else float(value)
        if isinstance(value, int | float)
        else None
    )
    recorded = _recorded_at(change.get("NewImage") or {})
    known = [t for t in (approx, recorded) if t is not None]
    return max(known) if known else None


def _recorded_at(image: dict[str, Any]) -> float | None:
    text = (image.get("recorded_at") or {}).get("S")
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


@dataclass(frozen=True)
class ShardLag:
    shard_id: str
    closed: bool
    checkpoint: str | None
    finished: bool
    lease_owner: str | None
    lease_expires_ms: int
    records_behind: int
    capped: bool
    oldest_unapplied_at: float | None  # epoch seconds of the first record not yet applied

    def to_json(self, now: float) -> dict[str, Any]:
        live = self.lease_owner is not None and self.lease_expires_ms > now * 1000
        return {
            "shard_id": self.shard_id,
            "closed": self.closed,
            "checkpoint": self.checkpoint,
            "finished": self.finished,
            "lease_owner": self.lease_owner if live else None,
            "lease_holder_dead": live and holder_dead(self.lease_owner),
            "lease_expires_in_s": round(self.lease_expires_ms / 1000 - now, 1) if live else None,
            "records_behind": self.records_behind,
            "records_behind_capped": self.capped,
            "iterator_age_s": _age(self.oldest_unapplied_at, now),
        }


@dataclass(frozen=True)
class ConsumerLag:
    consumer: str
    stream_label: str
    shards: list[ShardLag]
    dead_letters: dict[str, int] = field(default_factory=dict)
    now: float = 0.0

    @property
    def started(self) -> bool:
        """Has this consumer ever checkpointed (else nothing was projected yet)?"""
        return any(s.checkpoint is not None or s.finished for s in self.shards)

    @property
    def records_behind(self) -> int:
        return sum(s.records_behind for s in self.shards)

    @property
    def lag_seconds(self) -> float:
        """The age of the oldest record not yet applied (0: drained)."""
        ages = [_age(s.oldest_unapplied_at, self.now) for s in self.shards]
        return max((a for a in ages if a is not None), default=0.0)

    def to_json(self) -> dict[str, Any]:
        return {
            "consumer": self.consumer,
            "stream": self.stream_label,
            "started": self.started,
            "records_behind": self.records_behind,
            "lag_seconds": self.lag_seconds,
            "dead_letters": dict(self.dead_letters),
            "shards": [s.to_json(self.now) for s in self.shards],
        }


def _age(at: float | None, now: float) -> float | None:
    return None if at is None else round(max(0.0, now - at), 1)


def backlog(
    source: ShardSource, shard: ShardInfo, state: ShardState | None, cap: int
) -> tuple[int, bool, float | None]:
    """Records behind ``state``'s checkpoint (capped?) and the creation time of the first."""
    if state is not None and state.finished:
        return 0, False, None
    checkpoint = state.checkpoint if state is not None else None
    kind = "TRIM_HORIZON" if checkpoint is None else "AFTER_SEQUENCE_NUMBER"
    iterator: str | None = source.iterator(shard.shard_id, kind, checkpoint)
    count, oldest, empty = 0, None, 0
    while iterator is not None and count < cap and empty < EMPTY_PAGES:
        page = source.read(iterator, min(1000, cap - count))
        if page.records and oldest is None:
            oldest = created_at(page.records[0])
        count += len(page.records)
        empty = 0 if page.records else empty + 1
        iterator = page.next_iterator
    return count, count >= cap, oldest


def consumer_lag(
    source: ShardSource,
    client: Any,
    table: str,
    consumer: str,
    *,
    clock: Callable[[], float] = time.time,
    cap: int = CAP,
) -> ConsumerLag:
    """Read-only: describe the stream, load the checkpoints, count each shard's backlog."""
    stream = source.describe()
    states = StreamState(client, table, consumer, stream.label, owner="status").load_all()
    shards = []
    for shard in stream.shards:
        state = states.get(shard.shard_id)
        behind, capped, oldest = backlog(source, shard, state, cap)
        shards.append(
            ShardLag(
                shard.shard_id,
                shard.closed,
                state.checkpoint if state else None,
                bool(state and state.finished),
                state.owner if state else None,
                state.lease_expires_ms if state else 0,
                behind,
                capped,
                oldest,
            )
        )
    letters = Counter(letter.condition for letter in DeadLetters(client, table, consumer).list())
    return ConsumerLag(consumer, stream.label, shards, dict(letters), clock())
