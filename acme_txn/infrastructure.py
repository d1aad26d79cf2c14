"""The backends the product runs on: one object per backend builds every store, once.

The composition root (``acme_txn.bootstrap``) picks one of them when the ``App`` is built, and
asks it for stores from then on; nothing else in the ``App`` knows which backend it has.

- ``DynamoInfrastructure``: the DynamoDB adapters on the settings' tables, on one client
  (made on first use, so a command that never touches a table never builds one).
- ``MemoryInfrastructure``: the in-memory twins (held to the adapters' behaviour by the
  contract suites). The customers' and offers' twins share the event store's records, as the
  DynamoDB adapters share the ledger table, so an opening's customer check sees them. The
  bank's queries are key conditions on DynamoDB's indexes and have no twin (``queries`` is
  ``None``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from acme_base.settings import Settings
from apps.budgets.memory import MemoryBudgetStore
from apps.budgets.ports import BudgetStore
from apps.budgets.views import DynamoBudgetStore
from apps.loyalty.memory import MemoryLoyaltyStore
from apps.loyalty.ports import LoyaltyStore
from apps.loyalty.views import DynamoLoyaltyStore
from processor.customers.memory import MemoryCustomerStore
from processor.customers.ports import CustomerStore
from processor.customers.store import DynamoCustomerStore
from processor.offers.memory import MemoryOfferStore
from processor.offers.ports import OfferStore
from processor.offers.store import DynamoOfferStore
from processor.reads.asof import AsOfReads
from processor.reads.asof_memory import MemoryAsOfSource
from processor.reads.queries import BankQueries
from processor.storage.archive_memory import MemoryArchiveStore
from processor.storage.archive_ports import ArchiveStore
from processor.storage.archive_store import DynamoArchiveStore
from processor.storage.memory import MemoryEventStore
from processor.storage.ports import EventStore
from processor.storage.store import DynamoEventStore
from projections.fraud.memory import MemoryFraudStore
from projections.fraud.ports import FraudStore
from projections.fraud.store import DynamoFraudStore
from projections.memory import MemoryViewStore
from projections.ports import ViewStore
from projections.views import DynamoViewStore
from streams.lease_memory import MemoryLeaseTable
from streams.lease_ports import LeaseTable
from streams.state import DynamoLeaseTable

__all__ = ["DynamoInfrastructure", "Infrastructure", "MemoryInfrastructure", "infrastructure"]


class Infrastructure(Protocol):
    """Every store the ``App`` assembles its services from."""

    @property
    def event_store(self) -> EventStore: ...
    @property
    def customer_store(self) -> CustomerStore: ...
    @property
    def offer_store(self) -> OfferStore: ...
    @property
    def loyalty_store(self) -> LoyaltyStore: ...
    @property
    def budget_store(self) -> BudgetStore: ...
    @property
    def archive(self) -> ArchiveStore: ...
    @property
    def views(self) -> ViewStore: ...
    @property
    def fraud_store(self) -> FraudStore: ...
    @property
    def queries(self) -> BankQueries | None: ...
    @property
    def asof(self) -> AsOfReads: ...
    @property
    def lease_table(self) -> LeaseTable: ...


@dataclass
class DynamoInfrastructure:
    """The DynamoDB adapters on ``settings``' tables; ``client()`` makes the one client."""

    client: Callable[[], Any]
    settings: Settings
    record_capacity: bool = False  # benchmarks: keep consumed capacity units

    @cached_property
    def dynamodb(self) -> Any:
        return self.client()

    @cached_property
    def event_store(self) -> EventStore:
        table = self.settings.ledger_table
        return DynamoEventStore(self.dynamodb, table, record_capacity=self.record_capacity)

    @cached_property
    def customer_store(self) -> CustomerStore:
        return DynamoCustomerStore(self.dynamodb, self.settings.ledger_table)

    @cached_property
    def offer_store(self) -> OfferStore:
        return DynamoOfferStore(self.dynamodb, self.settings.ledger_table)

    @cached_property
    def loyalty_store(self) -> LoyaltyStore:
        return DynamoLoyaltyStore(self.dynamodb, self.settings.views_table)

    @cached_property
    def budget_store(self) -> BudgetStore:
        return DynamoBudgetStore(self.dynamodb, self.settings.views_table)

    @cached_property
    def archive(self) -> ArchiveStore:
        return DynamoArchiveStore(self.dynamodb, self.settings.archive_table)

    @cached_property
    def views(self) -> ViewStore:
        return DynamoViewStore(self.dynamodb, self.settings.views_table)

    @cached_property
    def fraud_store(self) -> FraudStore:
        return DynamoFraudStore(self.dynamodb, self.settings.views_table)

    @cached_property
    def queries(self) -> BankQueries | None:
        return BankQueries(self.dynamodb, self.settings.ledger_table)

    @cached_property
    def asof(self) -> AsOfReads:
        return AsOfReads(self.dynamodb, self.settings.ledger_table)

    @cached_property
    def lease_table(self) -> LeaseTable:
        return DynamoLeaseTable(self.dynamodb, self.settings.streams_table)


@dataclass
class MemoryInfrastructure:
    """The in-memory twins; ``events`` is the one event store the others share records with."""

    events: MemoryEventStore = field(default_factory=MemoryEventStore)

    @property
    def event_store(self) -> EventStore:
        return self.events

    @cached_property
    def customer_store(self) -> CustomerStore:
        return MemoryCustomerStore(self.events)

    @cached_property
    def offer_store(self) -> OfferStore:
        return MemoryOfferStore(self.events)

    @cached_property
    def loyalty_store(self) -> LoyaltyStore:
        return MemoryLoyaltyStore()

    @cached_property
    def budget_store(self) -> BudgetStore:
        return MemoryBudgetStore()

    @cached_property
    def archive(self) -> ArchiveStore:
        return MemoryArchiveStore()

    @cached_property
    def views(self) -> ViewStore:
        return MemoryViewStore()

    @cached_property
    def fraud_store(self) -> FraudStore:
        return MemoryFraudStore()

    @property
    def queries(self) -> BankQueries | None:
        return None

    @cached_property
    def asof(self) -> AsOfReads:
        return AsOfReads(None, "memory", MemoryAsOfSource(self.events))

    @cached_property
    def lease_table(self) -> LeaseTable:
        return MemoryLeaseTable()


def infrastructure(
    settings: Settings,
    client: Callable[[], Any],
    *,
    memory: bool = False,
    event_store: EventStore | None = None,
    record_capacity: bool = False,
) -> Infrastructure:
    """The one backend of an ``App``, chosen once: the in-memory twins (sharing the records of
    ``event_store`` when it is an in-memory one), else the DynamoDB adapters on ``client()``."""
    if not memory:
        return DynamoInfrastructure(client, settings, record_capacity)
    if isinstance(event_store, MemoryEventStore):
        return MemoryInfrastructure(event_store)
    return MemoryInfrastructure()
