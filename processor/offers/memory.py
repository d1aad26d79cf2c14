"""The in-memory offer store: ``processor.offers.ports.OfferStore`` in plain Python.

It keeps the DynamoDB adapter's semantics (the contract suite runs the same tests on both):
conditional claims under one lock, pages of ``limit`` items read before the TTL'd ones are
dropped, a next token whenever a page was full, the same tokens. Customers and accounts are
the in-memory event store's records (``MemoryEventStore.customers`` / ``.accounts``), as the
DynamoDB adapter reads the customer and account items of the same table.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from acme_base.keys import customer_offer_key, customer_pk, offer_pk
from processor.offers.model import PENDING, CustomerOffer, Offer, Response
from processor.offers.ports import (
    NotPending,
    OfferPage,
    OfferTaken,
    customer_partition,
    customers_query_id,
    offer_partition,
    offers_query_id,
)
from processor.storage.memory import MemoryEventStore
from processor.storage.paging import Partition, decode_token, encode_token


@dataclass
class MemoryOfferStore:
    events: MemoryEventStore = field(default_factory=MemoryEventStore)
    offers: dict[str, Offer] = field(default_factory=dict)
    relationships: dict[tuple[str, str], CustomerOffer] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- offers ---------------------------------------------------------------------------

    def create(self, offer: Offer) -> None:
        with self._lock:
            existing = self.offers.get(offer.offer_id)
            if existing is not None:
                raise OfferTaken(existing)
            self.offers[offer.offer_id] = offer

    def offer(self, offer_id: str) -> Offer | None:
        with self._lock:
            return self.offers.get(offer_id)

    # --- relationships --------------------------------------------------------------------

    def send(self, relationship: CustomerOffer) -> bool:
        key = (relationship.customer_id, relationship.offer_id)
        with self._lock:
            if key in self.relationships:
                return False
            self.relationships[key] = relationship
            return True

    def respond(
        self, customer_id: str, offer_id: str, response: Response, at: str, today: date
    ) -> CustomerOffer:
        with self._lock:
            current = self.relationships.get((customer_id, offer_id))
            if current is None or current.status != PENDING or current.expires_on < today:
                raise NotPending(current)
            answered = replace(current, status=response, responded_at=at)
            self.relationships[(customer_id, offer_id)] = answered
            return answered

    def relationship(self, customer_id: str, offer_id: str) -> CustomerOffer | None:
        with self._lock:
            return self.relationships.get((customer_id, offer_id))

    def offers_of(
        self,
        customer_id: str,
        now: int,
        limit: int,
        token: str | None = None,
        offer_id: str | None = None,
    ) -> OfferPage:
        with self._lock:
            rows = sorted(
                (r for (c, o), r in self.relationships.items() if c == customer_id),
                key=lambda r: r.offer_id,
            )
        if offer_id is not None:
            rows = [r for r in rows if r.offer_id == offer_id]
        keyed = [(offer_pk(r.offer_id), r) for r in rows]
        partition = customer_partition(customer_id)
        query_id = offers_query_id(customer_id, offer_id)
        return _page(
            keyed, partition=partition, query_id=query_id, now=now, limit=limit, token=token
        )

    def customers_of(
        self, offer_id: str, now: int, limit: int, token: str | None = None
    ) -> OfferPage:
        with self._lock:
            rows = sorted(
                (r for (c, o), r in self.relationships.items() if o == offer_id),
                key=lambda r: r.customer_id,
            )
        keyed = [(customer_pk(r.customer_id), r) for r in rows]
        partition, query_id = offer_partition(offer_id), customers_query_id(offer_id)
        return _page(
            keyed, partition=partition, query_id=query_id, now=now, limit=limit, token=token
        )

    # --- customers ------------------------------------------------------------------------

    def missing_customers(self, customer_ids: Sequence[str]) -> list[str]:
        known = set(self.events.customers)  # the event store's records (one C-level copy)
        return [c for c in customer_ids if c not in known]

    def customers_with_status(self, status: str) -> Iterator[str]:
        customers = list(self.events.customers.values())
        chosen = [c.customer_id for c in customers if status in c.special_status]
        yield from sorted(chosen)

    def customer_of_account(self, account_id: str) -> str | None:
        for customer_id, account in list(self.events.accounts):
            if account == account_id:
                return customer_id
        return None


def _key(partition: Partition, sort_value: str, row: CustomerOffer) -> dict[str, str]:
    """The row's key in the partition's index, as DynamoDB's LastEvaluatedKey spells it."""
    table = customer_offer_key(row.customer_id, row.offer_id)
    if partition.attr == "PK":
        return table
    return {**table, "INV_PK": partition.value, "INV_SK": sort_value}


def _page(
    keyed: list[tuple[str, CustomerOffer]],
    *,
    partition: Partition,
    query_id: str,
    now: int,
    limit: int,
    token: str | None,
) -> OfferPage:
    """``limit`` items after the token's key, TTL'd dropped, a token if the page was full."""
    sort_attr = partition.key_attrs[1] if partition.attr == "PK" else "INV_SK"
    start = decode_token(token, query_id, [partition])[0] if token else None
    after = [(s, r) for s, r in keyed if not isinstance(start, dict) or s > start[sort_attr]]
    read = after[:limit]
    next_token = None
    if read and len(read) == limit:
        next_token = encode_token(query_id, [_key(partition, *read[-1])])
    return OfferPage([r for _, r in read if r.expires_at > now], next_token)
