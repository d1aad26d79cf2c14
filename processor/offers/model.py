"""Offers of the seed's iteration 8, pure: ids, dates, the relationship's life, the errors.

An offer is identified by its date and a number, ``MMDDYYYY-N`` (``01022022-1`` is the first
offer of 2 January 2022). It expires at the end of its ``expires_on`` day (UTC): it can be
sent and answered on that day, not after. A customer's copy of an offer (the relationship)
is ``PENDING`` until the customer answers once, ``ACCEPTED`` or ``REJECTED``; it is deleted
(DynamoDB TTL, attribute ``expires_at``) 6 calendar months after the offer's expiry, and
hidden by every read from that moment, since DynamoDB deletes expired items only eventually.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, Literal

from acme_base.errors import InvalidInput

PENDING: Final = "PENDING"
ACCEPTED: Final = "ACCEPTED"
REJECTED: Final = "REJECTED"
Response = Literal["ACCEPTED", "REJECTED"]
OfferStatus = Literal["PENDING", "ACCEPTED", "REJECTED"]
RETENTION_MONTHS = 6  # the relationship is deleted this long after the offer expires

OFFER_ID_RE = re.compile(
    r"(?P<mm>[0-9]{2})(?P<dd>[0-9]{2})(?P<yyyy>[0-9]{4})-(?P<n>[1-9][0-9]{0,5})"
)
MAX_DETAILS_BYTES = 16 * 1024  # details as canonical JSON
MAX_TERMS_BYTES = 16 * 1024  # terms and conditions, UTF-8
MAX_DEPTH = 8  # nesting of the details object


class UnknownOffer(InvalidInput):
    def __init__(self, offer_id: str) -> None:
        super().__init__(f"unknown offer: {offer_id!r}")
        self.offer_id = offer_id


class UnknownCustomers(InvalidInput):
    def __init__(self, customer_ids: list[str]) -> None:
        word = "customer" if len(customer_ids) == 1 else "customers"
        shown = ", ".join(repr(c) for c in customer_ids[:10])
        more = f" and {len(customer_ids) - 10} more" if len(customer_ids) > 10 else ""
        super().__init__(f"unknown {word}: {shown}{more}")
        self.customer_ids = customer_ids


class OfferExpired(InvalidInput):
    def __init__(self, offer_id: str, expires_on: date, what: str) -> None:
        super().__init__(f"offer {offer_id!r} expired on {expires_on.isoformat()}: {what}")


def offer_date(offer_id: str) -> date:
    """The date an offer id names; ``InvalidInput`` unless it is ``MMDDYYYY-N`` of a real day."""
    match = OFFER_ID_RE.fullmatch(offer_id) if isinstance(offer_id, str) else None
    if match is None:
        raise InvalidInput(
            f"offer id {offer_id!r} is not MMDDYYYY-N (a date and a number from 1, e.g. 01022022-1)"
        )
    try:
        return date(int(match["yyyy"]), int(match["mm"]), int(match["dd"]))
    except ValueError as exc:
        raise InvalidInput(f"offer id {offer_id!r} names no real date: {exc}") from exc


def check_offer_id(offer_id: str) -> str:
    offer_date(offer_id)
    return offer_id


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, the day of month clamped (31 Aug + 6 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def delete_after(expires_on: date) -> datetime:
    """When a relationship goes: 6 months after the end of the offer's last day (UTC)."""
    end = add_months(expires_on, RETENTION_MONTHS) + timedelta(days=1)
    return datetime.combine(end, time(0), tzinfo=UTC)


def ttl_epoch(expires_on: date) -> int:
    """The TTL attribute's value (epoch seconds), as DynamoDB wants it."""
    return int(delete_after(expires_on).timestamp())


def is_expired(expires_on: date, now: datetime) -> bool:
    """Past the offer's last day (UTC)."""
    return now.astimezone(UTC).date() > expires_on


def check_details(details: Mapping[str, Any]) -> Mapping[str, Any]:
    """A JSON object of strings, integers, booleans, nulls, lists and objects (no floats:
    money is a decimal string), at most ``MAX_DEPTH`` deep and ``MAX_DETAILS_BYTES`` long."""
    _check_value(details, 1)
    size = len(canonical_json(details).encode())
    if size > MAX_DETAILS_BYTES:
        raise ValueError(f"details are {size} bytes of JSON, over the {MAX_DETAILS_BYTES} limit")
    return details


def _check_value(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ValueError(f"details nest deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        for key, inner in value.items():
            if not isinstance(key, str):
                raise ValueError("details keys must be strings")
            _check_value(inner, depth + 1)
    elif isinstance(value, list):
        for inner in value:
            _check_value(inner, depth + 1)
    elif isinstance(value, float):
        raise ValueError(f"details hold the float {value!r}: write numbers as decimal strings")
    elif value is not None and not isinstance(value, str | int | bool):
        raise ValueError(f"details hold a {type(value).__name__}, not a JSON value")


def check_terms(terms: str) -> str:
    size = len(terms.encode())
    if size > MAX_TERMS_BYTES:
        raise ValueError(f"terms are {size} bytes, over the {MAX_TERMS_BYTES} limit")
    return terms


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Offer:
    """The offer item (``PK = SK = OFFER#<id>``)."""

    offer_id: str
    expires_on: date
    details: Mapping[str, Any]
    terms: str
    fingerprint: str  # of the create_offer command: same payload again = a retry
    created_at: str

    @property
    def offer_date(self) -> date:
        return offer_date(self.offer_id)

    def row(self) -> dict[str, Any]:
        return {
            "offer_id": self.offer_id,
            "offer_date": self.offer_date.isoformat(),
            "expires_on": self.expires_on.isoformat(),
            "details": dict(self.details),
            "terms": self.terms,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class CustomerOffer:
    """The relationship item (``PK = CUST#<customer>``, ``SK = OFFER#<id>``)."""

    customer_id: str
    offer_id: str
    status: OfferStatus
    sent_at: str
    expires_on: date
    responded_at: str | None = None

    @property
    def expires_at(self) -> int:
        """The TTL attribute (epoch seconds)."""
        return ttl_epoch(self.expires_on)

    def visible_at(self, now: datetime) -> bool:
        """Not yet past its TTL (DynamoDB may keep it a while longer: reads hide it)."""
        return self.expires_at > int(now.timestamp())

    def row(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "offer_id": self.offer_id,
            "status": self.status,
            "sent_at": self.sent_at,
            "responded_at": self.responded_at,
            "expires_on": self.expires_on.isoformat(),
            "delete_after": delete_after(self.expires_on).isoformat(),
        }
