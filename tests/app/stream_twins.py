"""The product on the twins with a ledger stream: the event store puts every committed event
into a memory shard (``streams.memory_ledger``), so the real poller, workers and handlers run
without a backend. For tests whose subject is a consumer's logic (folds, windows, idempotent
redelivery), not DynamoDB Streams or the lease table's conditions. Its pollers (``poller``,
``drain``, ``fraud_poller``, ``apps_poller``) read the twin's stream."""

from __future__ import annotations

from typing import Any

from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from streams.memory_ledger import StreamedEventStore


def streamed_app(store: StreamedEventStore | None = None, **parts: Any) -> App:
    """An ``App`` on the twins whose event store streams (``store``: share another app's log
    and stream, as two consumers of one table)."""
    events = store if store is not None else StreamedEventStore()
    settings = Settings(table_prefix="memory")
    return bootstrap(settings, memory=True, event_store=events, shard_source=events.source, **parts)
