"""Wiring for callers (the CLI, the demo): the projection consumer on a ledger's stream."""

from __future__ import annotations

from typing import Any

from acme_base.aws import dynamodb_client, streams_client
from acme_base.settings import Settings
from streams.config import EsmConfig
from streams.filters import EVENTS_ONLY, FilterCriteria
from streams.handlers import CountingMetrics, Sink, StreamHandler, projector_sink
from streams.poller import Poller, RunResult
from streams.shards import DynamoDBShardSource


def projection_config(**overrides: Any) -> EsmConfig:
    """The projection consumer's defaults: txn events only, bounded retries, bisect on."""
    values: dict[str, Any] = {
        "filters": FilterCriteria([EVENTS_ONLY]),
        "max_retry_attempts": 5,
        "bisect_on_error": True,
    }
    values.update(overrides)
    return EsmConfig(**values)


def projection_poller(
    settings: Settings,
    cfg: EsmConfig | None = None,
    *,
    client: Any = None,
    streams: Any = None,
    sink: Sink | None = None,
    metrics: CountingMetrics | None = None,
) -> Poller:
    """A poller on ``settings``' ledger stream delivering to the projections (or ``sink``)."""
    client = client if client is not None else dynamodb_client(settings)
    streams = streams if streams is not None else streams_client(settings)
    handler = StreamHandler(
        sink if sink is not None else projector_sink(client, settings),
        metrics if metrics is not None else CountingMetrics(),
    )
    source = DynamoDBShardSource(client, streams, settings.ledger_table)
    return Poller(
        source,
        handler,
        client,
        settings.streams_table,
        cfg if cfg is not None else projection_config(),
    )


def drain(
    settings: Settings, cfg: EsmConfig | None = None, max_seconds: float | None = None
) -> RunResult:
    """Deliver everything in the stream to the projections, then return (``--until-idle``)."""
    return projection_poller(settings, cfg).run(until_idle=True, max_seconds=max_seconds)
