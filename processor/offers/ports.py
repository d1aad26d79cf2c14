"""The offer store port: what the offer commands and queries need from storage.

Two implementations honour it, held to the same behaviour by one contract suite
(``tests/contract/test_offer_store_contract.py``): ``processor.offers.store.DynamoOfferStore``
on the ledger table and the in-memory twin ``processor.offers.memory.MemoryOfferStore``.

Writes are conditional: an offer id is claimed once (``OfferTaken`` carries the offer already
there), a relationship is created once (``send`` answers False when it exists, and never
touches it), and a response moves a relationship from ``PENDING`` only, on or before the
offer's last day (``NotPending`` carries the relationship as it is, or None). Pages are read
as DynamoDB reads them: ``limit`` items, then the ones past their TTL are dropped (a page can
come back short, or empty, with a next token), with ``processor.storage.paging`` tokens.

The store also answers the three questions about customers an offer's audience needs (does a
customer exist, who has a special status, whose is an account); balances are not its
business (see ``acme_txn.offer_audience``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from acme_base.keys import customer_pk, offer_pk
from processor.offers.model import CustomerOffer, Offer, Response
from processor.storage.paging import Partition


class OfferTaken(Exception):
    """The offer id exists already (``existing``: the offer stored under it)."""

    def __init__(self, existing: Offer) -> None:
        super().__init__(f"offer {existing.offer_id} exists")
        self.existing = existing


class NotPending(Exception):
    """A response found the relationship not answerable: already answered, past the offer's
    last day, or (``current`` None) never sent."""

    def __init__(self, current: CustomerOffer | None) -> None:
        super().__init__(f"not pending: {current}")
        self.current = current


@dataclass(frozen=True)
class OfferPage:
    """Relationships of one page (TTL'd ones dropped) and the next page's token."""

    items: list[CustomerOffer] = field(default_factory=list)
    next_token: str | None = None


class OfferStore(Protocol):
    # --- offers ---------------------------------------------------------------------------

    def create(self, offer: Offer) -> None:
        """Claim the offer id; raise ``OfferTaken`` if it exists (nothing written)."""
        ...

    def offer(self, offer_id: str) -> Offer | None:
        """The offer (strongly consistent), or None."""
        ...

    # --- relationships --------------------------------------------------------------------

    def send(self, relationship: CustomerOffer) -> bool:
        """Create the relationship; False (and nothing changed) if it exists already."""
        ...

    def respond(
        self, customer_id: str, offer_id: str, response: Response, at: str, today: date
    ) -> CustomerOffer:
        """``PENDING`` -> ``response`` if ``today`` is not after the offer's last day; else
        ``NotPending`` with the relationship as it is (None: there is none)."""
        ...

    def relationship(self, customer_id: str, offer_id: str) -> CustomerOffer | None:
        """The relationship as stored (strongly consistent, TTL'd or not), or None."""
        ...

    def offers_of(
        self,
        customer_id: str,
        now: int,
        limit: int,
        token: str | None = None,
        offer_id: str | None = None,
    ) -> OfferPage:
        """A customer's offers (or the one ``offer_id``) in offer id order, hiding those
        whose TTL (``now``, epoch seconds) has passed."""
        ...

    def customers_of(
        self, offer_id: str, now: int, limit: int, token: str | None = None
    ) -> OfferPage:
        """An offer's customers (the inverted view) in customer id order, TTL'd hidden."""
        ...

    # --- the customers an audience needs --------------------------------------------------

    def missing_customers(self, customer_ids: Sequence[str]) -> list[str]:
        """The ids with no customer item, in the order given."""
        ...

    def customers_with_status(self, status: str) -> Iterator[str]:
        """Every customer id holding ``status`` (the sparse special-status index)."""
        ...

    def customer_of_account(self, account_id: str) -> str | None:
        """The customer an account belongs to, or None."""
        ...


# --- the pages' partitions (one spelling for both adapters, so their tokens agree) ----------

TABLE_KEY = ("PK", "SK")
INVERTED_KEY = ("PK", "SK", "INV_PK", "INV_SK")


def customer_partition(customer_id: str) -> Partition:
    """A customer's offers: the table, ``PK = CUST#<id>``."""
    return Partition("PK", customer_pk(customer_id), TABLE_KEY)


def offer_partition(offer_id: str) -> Partition:
    """An offer's customers: GSI_Inverted, ``INV_PK = OFFER#<id>``."""
    return Partition("INV_PK", offer_pk(offer_id), INVERTED_KEY)


def offers_query_id(customer_id: str, offer_id: str | None) -> str:
    return f"offers-of|{customer_id}|{offer_id or '*'}"


def customers_query_id(offer_id: str) -> str:
    return f"customers-of|{offer_id}"
