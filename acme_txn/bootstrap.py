"""The composition root: the one place where the product's parts are assembled.

Entry points (the CLI, the Lambda handlers, the HTTP API, the demo, the benchmarks, the test
fixtures) call ``bootstrap(settings, options)`` and take what they need from the ``App`` it
returns; nothing else constructs an event store, a ledger, a view store, a projector or a
stream consumer. Parts are made on first use, so a command that only reads a balance never
builds a poller.

The backend is chosen once, here (``acme_txn.infrastructure.infrastructure``): ``memory=True``
takes the in-memory twins (held to the DynamoDB adapters' behaviour by the contract suites),
otherwise the DynamoDB adapters; the ``App`` asks that one object for its stores and never asks
which it is. The ledger's clock is given here too (``clock=``), as are the parts a caller
replaces (``event_store``, ``fraud_store``, ``views``, ``loyalty_rules``, the ``dynamodb``
client, the ``shard_source``: the twins' stream).

The parts, by role, in ``acme_txn.wiring``: ``options`` (every tunable, ``Options``), ``stores``
(the clients and the backend's stores), ``services`` (the ledger, customers, offers, the apps,
archival, reads, the projector) and ``consumers`` (the stream consumers and their pollers).
"""

from __future__ import annotations

from typing import Any

from acme_base.settings import Settings
from acme_txn.infrastructure import infrastructure
from acme_txn.wiring.consumers import Consumers
from acme_txn.wiring.options import APPS_CONSUMER, FRAUD_CONSUMER, PROJECTION_CONSUMER, Options
from apps.loyalty.rules import LoyaltyRules
from processor.services.jobs import Clock
from processor.services.ledger import utc_now
from processor.storage.ports import EventStore
from projections.fraud.ports import FraudStore
from projections.ports import ViewStore
from streams.shards import ShardSource

__all__ = ["APPS_CONSUMER", "FRAUD_CONSUMER", "PROJECTION_CONSUMER", "App", "Options", "bootstrap"]


class App(Consumers):
    """The assembled product for one ``Settings``; parts are built lazily, once."""

    def __init__(
        self,
        settings: Settings,
        options: Options | None = None,
        *,
        memory: bool = False,
        dynamodb: Any = None,
        event_store: EventStore | None = None,
        record_capacity: bool = False,
        clock: Clock = utc_now,
        fraud_store: FraudStore | None = None,
        loyalty_rules: LoyaltyRules | None = None,
        views: ViewStore | None = None,
        shard_source: ShardSource | None = None,
    ) -> None:
        backend = infrastructure(
            settings,
            lambda: self.dynamodb,  # one client, made on first use
            memory=memory,
            event_store=event_store,
            record_capacity=record_capacity,
        )
        super().__init__(
            settings,
            options if options is not None else Options(),
            backend,
            clock=clock,
            dynamodb=dynamodb,
            event_store=event_store,
            fraud_store=fraud_store,
            views=views,
            loyalty_rules=loyalty_rules,
            shard_source=shard_source,
        )


def bootstrap(
    settings: Settings,
    options: Options | None = None,
    *,
    memory: bool = False,
    **parts: Any,
) -> App:
    """Build the product for ``settings`` (see the module docstring); ``parts`` are the
    ``App``'s optional injections (``dynamodb``, ``event_store``, ``record_capacity``,
    ``clock``, ``fraud_store``, ``loyalty_rules``, ``views``, ``shard_source``)."""
    return App(settings, options, memory=memory, **parts)
