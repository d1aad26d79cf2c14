"""The stream consumers of one ``App``: the projections, the fraud signals and the apps, each
a consumer of the ledger's stream with its own checkpoints and leases, and the local pollers
that deliver the stream to them (Lambda: ``acme_txn.lambda_handlers``). They read the ledger
table's stream, or the ``shard_source`` the ``App`` was given (the twins' stream).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from acme_txn.wiring.services import Services
from projections.fraud.engine import FraudEngine
from streams.config import EsmConfig
from streams.dlq import DeadLetters
from streams.handlers import CountingMetrics, MetricsLike, Sink, StreamHandler
from streams.poller import Poller, RunResult
from streams.shards import DynamoDBShardSource, ShardSource
from streams.windowed import WindowedStreamHandler
from streams.worker import Handler


class Consumers(Services):
    """The stream consumers and their pollers."""

    # --- the projections -----------------------------------------------------------------

    def projector_sink(self) -> Sink:
        """The projector as a stream handler's sink: the ``(account, seq)`` pairs not applied."""
        projector = self.projector

        def sink(events: list[Any]) -> frozenset[tuple[str, int]]:
            return frozenset(projector.project(events).failed)

        return sink

    def stream_handler(
        self, metrics: MetricsLike | None = None, sink: Sink | None = None
    ) -> StreamHandler:
        return StreamHandler(
            sink if sink is not None else self.projector_sink(),
            metrics if metrics is not None else CountingMetrics(),
        )

    def shard_source(self) -> ShardSource:
        """The ledger table's stream, or the source given (the twins' stream:
        ``streams.memory_ledger``)."""
        if self._shard_source is not None:
            return self._shard_source
        return DynamoDBShardSource(self.dynamodb, self.streams, self.settings.ledger_table)

    def poller(
        self,
        cfg: EsmConfig | None = None,
        *,
        sink: Sink | None = None,
        metrics: MetricsLike | None = None,
        source: ShardSource | None = None,
        handler: Handler | None = None,
        **kwargs: Any,
    ) -> Poller:
        """The local event source mapping on the ledger's stream, delivering to the projector
        (or ``sink``, or a raw ``handler``); boto3 clients are thread-safe, so it may run in
        its own thread."""
        return Poller(
            source=source if source is not None else self.shard_source(),
            handler=handler if handler is not None else self.stream_handler(metrics, sink),
            client=self.dynamodb,
            table=self.settings.streams_table,
            cfg=cfg if cfg is not None else self.options.consumer,
            **{"leases": self.lease_table, **kwargs},
        )

    def drain(self, max_seconds: float | None = None) -> RunResult:
        """Deliver everything in the stream to the projections, then return; raises
        ``ShardsHeldElsewhere`` when a shard with records behind stays leased elsewhere."""
        poller = self.poller()
        return poller.run(until_idle=True, max_seconds=max_seconds).raise_if_blocked(
            poller.cfg.consumer
        )

    def dead_letters(self, consumer: str | None = None) -> DeadLetters:
        name = consumer if consumer is not None else self.options.consumer.consumer
        return DeadLetters(self.dynamodb, self.settings.streams_table, name)

    # --- the apps ------------------------------------------------------------------------

    def apps_sink(self) -> Sink:
        """The applications' projectors as one stream sink (they read the log themselves, so
        nothing is ever left unapplied: a failure raises and the batch is retried)."""

        def sink(events: list[Any]) -> frozenset[tuple[str, int]]:
            self.loyalty_projector.project(events)
            self.spend_projector.project(events)
            return frozenset()

        return sink

    def apps_poller(self, cfg: EsmConfig | None = None, **kwargs: Any) -> Poller:
        """The local event source mapping delivering the ledger stream to ``apps_sink``
        (Lambda: ``lambda_handlers.apps_handler``)."""
        chosen = cfg if cfg is not None else self.options.apps_consumer
        return self.poller(chosen, sink=self.apps_sink(), **kwargs)

    # --- fraud signals -------------------------------------------------------------------

    @cached_property
    def fraud_engine(self) -> FraudEngine:
        return FraudEngine(self.fraud_store, self.history, self.options.fraud_rules)

    @cached_property
    def fraud_handler(self) -> WindowedStreamHandler:
        """The fraud consumer's stream handler (Lambda: ``lambda_handlers.fraud_handler``)."""
        return WindowedStreamHandler(self.fraud_engine.process)

    def fraud_poller(self, cfg: EsmConfig | None = None, **kwargs: Any) -> Poller:
        """The local event source mapping delivering the ledger stream to the fraud rules."""
        chosen = cfg if cfg is not None else self.options.fraud_consumer
        return self.poller(chosen, handler=self.fraud_handler, **kwargs)
