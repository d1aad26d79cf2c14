"""The ledger's stream on the in-memory twins: an event store that, like a DynamoDB table
with a stream, puts every event it commits into a shard of a ``MemoryShardSource``, so the
real poller, workers and handlers run without any backend (the nemesis fast lane).

Only event items are streamed (the other items of the ledger table are skipped by every
consumer anyway); records come in commit order, one shard, as on DynamoDB Local.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from processor.domain.commands import OpenAccount
from processor.domain.events import LedgerEvent
from processor.storage.codec import event_to_item
from processor.storage.memory import MemoryEventStore
from processor.storage.ports import IdempotencyRecord
from streams.memory import MemoryShardSource

SHARD = "shardId-memory-0001"


@dataclass
class StreamedEventStore(MemoryEventStore):
    source: MemoryShardSource = field(default_factory=MemoryShardSource)
    shard_id: str = SHARD
    _order: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.shard_id not in self.source.shards:
            self.source.add_shard(self.shard_id)

    def append(
        self,
        events: Sequence[LedgerEvent],
        records: Sequence[IdempotencyRecord],
        opening: OpenAccount | None = None,
    ) -> None:
        with self._order:  # the write and its stream records in one order
            super().append(events, records, opening)
            for event in events:
                self.source.put(self.shard_id, event_to_item(event))
