"""The local poller's metric log line: one JSON object per interval (``EsmConfig.
metrics_log_interval``), with the figures Lambda's metrics and `acme-txn status` show."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from streams.lag import created_at
from streams.stats import Stats


def shard_figures(worker: Any, now: float) -> dict[str, Any]:
    """One shard worker's position: checkpoint, records read and not yet applied, the age
    of the oldest of them (Lambda's IteratorAge), whether a failed batch is being retried."""
    pending = list(getattr(worker, "pending", []))
    oldest = created_at(pending[0]) if pending else None
    return {
        "shard_id": worker.shard_id,
        "checkpoint": worker.checkpoint,
        "records_pending": len(pending),
        "iterator_age_s": None if oldest is None else round(max(0.0, now - oldest), 1),
        "retrying": bool(getattr(worker, "retrying", False)),
        "finished": bool(getattr(worker, "finished", False)),
    }


def metrics_line(consumer: str, stats: Stats, workers: Iterable[Any], now: float) -> str:
    shards = [shard_figures(w, now) for w in workers]
    return json.dumps(
        {
            "metric": "stream_consumer",
            "consumer": consumer,
            "at": round(now, 3),
            **stats.as_dict(),
            "records_pending": sum(s["records_pending"] for s in shards),
            "retries_in_flight": sum(s["retrying"] for s in shards),
            "shards": shards,
        },
        sort_keys=True,
    )
