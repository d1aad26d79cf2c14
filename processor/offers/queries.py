"""The offer access patterns of the seed's iteration 8 (plus the inverted view), as rows.

- an offer's details: GetItem ``PK = SK = OFFER#<id>``;
- a customer's offers (optionally one): Query ``PK = CUST#<id> AND begins_with(SK, OFFER#)``
  (or ``SK = OFFER#<id>``), a page at a time;
- the status of an offer for a customer: GetItem ``PK = CUST#<id>, SK = OFFER#<id>``;
- an offer's customers: Query GSI_Inverted ``INV_PK = OFFER#<id> AND begins_with(INV_SK,
  CUST#)``.

Relationships past their TTL are hidden (``now`` from the clock), since DynamoDB deletes them
only eventually. Unknown ids are ``InvalidInput`` (exit 2). Pure: storage is the port.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from acme_base.errors import InvalidInput
from processor.domain.commands import Id
from processor.offers.model import UnknownCustomers, UnknownOffer, check_offer_id
from processor.offers.ports import OfferPage, OfferStore
from processor.storage.paging import Page, check_limit

_ID: TypeAdapter[str] = TypeAdapter(Id)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def check_customer_id(value: str) -> str:
    try:
        return _ID.validate_python(value)
    except ValidationError as exc:
        raise InvalidInput(
            f"customer {value!r} is not a valid id (1-64 of A-Z a-z 0-9 _ . : -)"
        ) from exc


@dataclass
class OfferQueries:
    store: OfferStore
    clock: Callable[[], datetime] = _utc_now

    def offer(self, offer_id: str) -> dict[str, Any]:
        """An offer's details: one GetItem."""
        offer = self.store.offer(check_offer_id(offer_id))
        if offer is None:
            raise UnknownOffer(offer_id)
        return offer.row()

    def for_customer(
        self,
        customer_id: str,
        offer_id: str | None = None,
        limit: int = 100,
        token: str | None = None,
    ) -> Page:
        """A customer's offers (or only ``offer_id``): one Query a page. An empty first page
        tells an unknown customer (or offer) apart with one more read."""
        check_customer_id(customer_id)
        if offer_id is not None:
            check_offer_id(offer_id)
        page = self.store.offers_of(customer_id, self._now(), check_limit(limit), token, offer_id)
        if not page.items and token is None:
            self._known(customer_id, offer_id)
        return _rows(page)

    def status(self, customer_id: str, offer_id: str) -> dict[str, Any]:
        """The status of an offer for a customer: one GetItem (hidden past its TTL)."""
        check_customer_id(customer_id)
        check_offer_id(offer_id)
        rel = self.store.relationship(customer_id, offer_id)
        if rel is None or not rel.visible_at(self.clock()):
            self._known(customer_id, offer_id)
            raise InvalidInput(
                f"offer {offer_id!r} was not sent to customer {customer_id!r} "
                "(or was deleted 6 months after it expired)"
            )
        return rel.row()

    def customers_of(self, offer_id: str, limit: int = 100, token: str | None = None) -> Page:
        """An offer's customers: one Query of GSI_Inverted a page."""
        check_offer_id(offer_id)
        page = self.store.customers_of(offer_id, self._now(), check_limit(limit), token)
        if not page.items and token is None and self.store.offer(offer_id) is None:
            raise UnknownOffer(offer_id)
        return _rows(page)

    def _now(self) -> int:
        return int(self.clock().timestamp())

    def _known(self, customer_id: str, offer_id: str | None) -> None:
        if self.store.missing_customers([customer_id]):
            raise UnknownCustomers([customer_id])
        if offer_id is not None and self.store.offer(offer_id) is None:
            raise UnknownOffer(offer_id)


def _rows(page: OfferPage) -> Page:
    return Page([rel.row() for rel in page.items], page.next_token)
