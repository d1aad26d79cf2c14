"""The offer and relationship items of the ledger table, as plain dicts (pure).

- offer: ``PK = SK = OFFER#<id>``; ``offer_id``, ``offer_date``, ``expires_on`` (ISO dates),
  ``details`` (the details object as canonical JSON text: exact round trip, no number
  conversions), ``terms``, ``fingerprint``, ``created_at``; ``INV_PK = INV_SK = OFFER#<id>``
  so the offer heads its own partition of GSI_Inverted (the seed's "aggregate view").
- relationship: ``PK = CUST#<customer>``, ``SK = OFFER#<id>``; ``status``, ``sent_at``,
  ``responded_at`` (once answered), ``expires_on`` (the offer's, so a response's condition can
  check it), ``expires_at`` (the TTL, epoch seconds); ``INV_PK = OFFER#<id>``,
  ``INV_SK = CUST#<customer>``: GSI_Inverted lists an offer's customers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any, cast

from acme_base.keys import customer_offer_key, customer_pk, offer_key, offer_pk
from acme_base.tables import TTL_ATTRIBUTE
from processor.offers.model import CustomerOffer, Offer, OfferStatus, canonical_json

OFFER_ENTITY = "offer"
RELATIONSHIP_ENTITY = "customer_offer"


def offer_item(offer: Offer) -> dict[str, Any]:
    return {
        **offer_key(offer.offer_id),
        "INV_PK": offer_pk(offer.offer_id),
        "INV_SK": offer_pk(offer.offer_id),
        "entity": OFFER_ENTITY,
        "offer_id": offer.offer_id,
        "offer_date": offer.offer_date.isoformat(),
        "expires_on": offer.expires_on.isoformat(),
        "details": canonical_json(offer.details),
        "terms": offer.terms,
        "fingerprint": offer.fingerprint,
        "created_at": offer.created_at,
    }


def offer_of(item: Mapping[str, Any]) -> Offer:
    return Offer(
        offer_id=str(item["offer_id"]),
        expires_on=date.fromisoformat(str(item["expires_on"])),
        details=json.loads(str(item["details"])),
        terms=str(item["terms"]),
        fingerprint=str(item["fingerprint"]),
        created_at=str(item["created_at"]),
    )


def relationship_item(rel: CustomerOffer) -> dict[str, Any]:
    item: dict[str, Any] = {
        **customer_offer_key(rel.customer_id, rel.offer_id),
        "INV_PK": offer_pk(rel.offer_id),
        "INV_SK": customer_pk(rel.customer_id),
        "entity": RELATIONSHIP_ENTITY,
        "customer_id": rel.customer_id,
        "offer_id": rel.offer_id,
        "status": rel.status,
        "sent_at": rel.sent_at,
        "expires_on": rel.expires_on.isoformat(),
        TTL_ATTRIBUTE: rel.expires_at,
    }
    if rel.responded_at is not None:
        item["responded_at"] = rel.responded_at
    return item


def relationship_of(item: Mapping[str, Any]) -> CustomerOffer:
    responded = item.get("responded_at")
    return CustomerOffer(
        customer_id=str(item["customer_id"]),
        offer_id=str(item["offer_id"]),
        status=cast(OfferStatus, str(item["status"])),
        sent_at=str(item["sent_at"]),
        expires_on=date.fromisoformat(str(item["expires_on"])),
        responded_at=None if responded is None else str(responded),
    )
