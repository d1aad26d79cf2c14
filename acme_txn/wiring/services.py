"""The services of one ``App`` on its stores: the ledger (with the customers' and offers'
services it runs), the apps, the archiver, the reads and the projector.

``dispatch`` maps every command type of the registry (``acme_txn.command_types.COMMANDS``) to
the service that runs it; a type whose service is missing fails when it is built.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, cast

from pydantic import BaseModel

from acme_txn.command_types import COMMANDS
from acme_txn.offer_audience import BalanceAudience
from acme_txn.wiring.stores import Stores
from apps.budgets.projector import SpendProjector
from apps.budgets.service import Budgets
from apps.loyalty.projector import LoyaltyProjector
from apps.loyalty.rules import LoyaltyRules
from apps.loyalty.service import Loyalty
from processor.customers.service import CustomerService
from processor.offers.queries import OfferQueries
from processor.offers.service import OfferService
from processor.reads.asof import AsOfReads
from processor.reads.queries import BankQueries
from processor.services.archiver import Archiver, HistoryReader
from processor.services.jobs import Clock
from processor.services.ledger import Ledger
from processor.storage.archive_ports import ArchivableStore
from processor.storage.ports import EventStore
from projections.projector import Projector


class Services(Stores):
    """The services, built on first use, once."""

    # --- the ledger ----------------------------------------------------------------------

    @cached_property
    def ledger(self) -> Ledger:
        return self.new_ledger()

    def new_ledger(self, store: EventStore | None = None, *, clock: Clock | None = None) -> Ledger:
        """A ledger with its own head cache and queues (as another process would have);
        ``clock``: another "now" (tests of offer expiry)."""
        cfg = self.options.ledger
        return Ledger(
            store if store is not None else self.event_store,
            clock=clock if clock is not None else self.clock,
            backoff=cfg.backoff(),
            group_size=cfg.group_size,
            cache_heads=cfg.cache_heads,
            adopt_heads=cfg.adopt_heads,
            offers=OfferService(self.offer_store, BalanceAudience(self.views, self.offer_store)),
            customers=CustomerService(self.customer_store, cfg.backoff()),
            history=self.history if store is None else None,  # an archived account's opening
            time_policy=cfg.time_policy(),
            batch_writers=cfg.batch_writers,
        )

    def offer_queries(self, clock: Clock | None = None) -> OfferQueries:
        """The offer access patterns (``clock``: the "now" that hides TTL'd relationships)."""
        return OfferQueries(self.offer_store, clock=clock if clock is not None else self.clock)

    # --- the apps (apps.loyalty, apps.budgets) ---------------------------------------------

    @cached_property
    def loyalty_rules(self) -> LoyaltyRules:
        return self._loyalty_rules if self._loyalty_rules is not None else LoyaltyRules()

    @cached_property
    def loyalty_projector(self) -> LoyaltyProjector:
        return LoyaltyProjector(self.loyalty_store, self.event_store, self.loyalty_rules)

    @cached_property
    def loyalty(self) -> Loyalty:
        """EARN/REDEEM through the ledger, reads from the loyalty views."""
        reads = self.infra.queries
        return Loyalty(
            self.ledger, self.loyalty_store, self.event_store, self.loyalty_projector, reads
        )

    @cached_property
    def spend_projector(self) -> SpendProjector:
        return SpendProjector(self.budget_store, self.event_store)

    @cached_property
    def budgets(self) -> Budgets:
        """Expenses through the ledger; budgets, spend and notifications from its views."""
        return Budgets(self.ledger, self.budget_store, self.event_store, self.spend_projector)

    @cached_property
    def dispatch(self) -> dict[type[BaseModel], Callable[[Any], Any]]:
        """Every command type's model -> the service method that runs it (``COMMANDS``: the
        ledger's, customers', offers' and apps' types; a type without a service fails here)."""
        return COMMANDS.dispatch(
            {
                "ledger": self.ledger.execute,
                "customers": self.ledger.execute,
                "offers": self.ledger.execute,
                "loyalty": self.loyalty.execute,
                "budgets": self.budgets.execute,
            }
        )

    # --- archival (acme-txn archive) -------------------------------------------------------

    @cached_property
    def archiver(self) -> Archiver:
        return Archiver(cast(ArchivableStore, self.event_store), self.archive)

    @cached_property
    def history(self) -> HistoryReader:
        """Archive + live as one log: what reconcile, rebuild and gap healing read."""
        return HistoryReader(self.event_store, self.archive)

    # --- read side -----------------------------------------------------------------------

    @cached_property
    def queries(self) -> BankQueries:
        """Every read access pattern of the ledger table (DynamoDB only: the patterns are
        key conditions on its indexes, so there is no in-memory twin)."""
        return self.infra.queries or BankQueries(self.dynamodb, self.settings.ledger_table)

    @cached_property
    def asof(self) -> AsOfReads:
        """Point-in-time reads of the event log (statements, ``balance --as-of``)."""
        return self.infra.asof

    @cached_property
    def projector(self) -> Projector:
        # the history, so a gap reaching into archived events still heals
        return Projector(self.views, self.history, self.options.projector)
