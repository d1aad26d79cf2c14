"""The clients and the stores of one ``App``, all from the backend the composition root chose.

The ``Infrastructure`` object (``acme_txn.infrastructure``) builds every store of its backend;
this layer only hands them out, with the parts a caller replaced (an event store of another
ledger, a fault-injecting view store, a fraud store) taking their place.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from acme_base.aws import dynamodb_client, make_session, streams_client
from acme_base.settings import Settings
from acme_base.tables import ensure_tables
from acme_txn.infrastructure import Infrastructure
from acme_txn.wiring.options import Options
from apps.budgets.ports import BudgetStore
from apps.loyalty.ports import LoyaltyStore
from apps.loyalty.rules import LoyaltyRules
from processor.customers.ports import CustomerStore
from processor.offers.ports import OfferStore
from processor.services.jobs import Clock
from processor.storage.archive_ports import ArchiveStore
from processor.storage.ports import EventStore
from projections.fraud.ports import FraudStore
from projections.ports import ViewStore
from streams.lease_ports import LeaseTable
from streams.shards import ShardSource


class Stores:
    """Settings, options, the ledger's clock, the backend, and the stores it builds."""

    def __init__(
        self,
        settings: Settings,
        options: Options,
        infra: Infrastructure,
        *,
        clock: Clock,
        dynamodb: Any = None,
        event_store: EventStore | None = None,
        fraud_store: FraudStore | None = None,
        views: ViewStore | None = None,
        loyalty_rules: LoyaltyRules | None = None,
        shard_source: ShardSource | None = None,
    ) -> None:
        self.settings = settings
        self.options = options
        self.infra = infra
        self.clock = clock  # the ledger's "now" (every ledger this App builds)
        self._client = dynamodb
        self._event_store = event_store  # e.g. projecting another ledger's events
        self._fraud_store = fraud_store
        self._views = views  # e.g. a view store that injects faults (the nemesis suite)
        self._loyalty_rules = loyalty_rules
        self._shard_source = shard_source  # e.g. the in-memory stream of a streamed twin store

    # --- clients -------------------------------------------------------------------------

    @cached_property
    def session(self) -> Any:
        return make_session(self.settings)

    @cached_property
    def dynamodb(self) -> Any:
        if self._client is not None:
            return self._client
        return dynamodb_client(self.settings, self.session)

    @cached_property
    def streams(self) -> Any:
        return streams_client(self.settings, self.session)

    def ensure_tables(self) -> dict[str, str]:
        return ensure_tables(self.dynamodb, self.settings)

    # --- stores --------------------------------------------------------------------------

    @cached_property
    def event_store(self) -> EventStore:
        return self._event_store if self._event_store is not None else self.infra.event_store

    @cached_property
    def customer_store(self) -> CustomerStore:
        """Customers and their phones' uniqueness items, on the ledger table (in memory: on
        the event store's records, so an opening's customer check sees them)."""
        return self.infra.customer_store

    @cached_property
    def offer_store(self) -> OfferStore:
        """Offers and customer-offer relationships, on the ledger table."""
        return self.infra.offer_store

    @cached_property
    def loyalty_store(self) -> LoyaltyStore:
        return self.infra.loyalty_store

    @cached_property
    def budget_store(self) -> BudgetStore:
        return self.infra.budget_store

    @cached_property
    def archive(self) -> ArchiveStore:
        """The archive table: events moved out of the ledger after the retention."""
        return self.infra.archive

    @cached_property
    def views(self) -> ViewStore:
        return self._views if self._views is not None else self.infra.views

    @cached_property
    def fraud_store(self) -> FraudStore:
        """Alerts and the rules' per-account profiles, in the views table."""
        return self._fraud_store if self._fraud_store is not None else self.infra.fraud_store

    @cached_property
    def lease_table(self) -> LeaseTable:
        """The stream consumers' checkpoints and leases (the ``<prefix>-streams`` table)."""
        return self.infra.lease_table
