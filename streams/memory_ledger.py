"""The ledger's stream on the in-memory twins: an event store that, like a DynamoDB table
with a stream, puts every event it commits into a shard of a ``MemoryShardSource``, so the
real poller, workers and handlers run without any backend (the nemesis fast lane).

Only event items are streamed (the other items of the ledger table are skipped by every
consumer anyway); records come in commit order, one shard, as on DynamoDB Local.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from processor.storage.append_batch import AppendRequest
from processor.storage.codec import event_to_item
from processor.storage.memory import MemoryEventStore
from streams.memory import MemoryShardSource

SHARD = "shardId-memory-0001"


@dataclass
class StreamedEventStore(MemoryEventStore):
    source: MemoryShardSource = field(default_factory=MemoryShardSource)
    shard_id: str = SHARD

    def __post_init__(self) -> None:
        if self.shard_id not in self.source.shards:
            self.source.add_shard(self.shard_id)

    def _write(self, request: AppendRequest) -> None:
        """Every write (one append or a batch of them), under the store's lock: the events and
        their stream records in one order."""
        super()._write(request)
        for event in request.events:
            self.source.put(self.shard_id, event_to_item(event))
