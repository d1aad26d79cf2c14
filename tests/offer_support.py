"""Test helpers for offers: customers made the way the product makes them, clocks, commands.

Customers are registered with ``register_customer`` when the ledger knows that command; until
then (or on a ledger without it) they come from ``open_account``, which upserts the customer
item, as the older tests do.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from processor.services.ledger import Ledger

_phones = itertools.count()
OFFER = "01022030-1"
T_SEND = datetime(2030, 1, 2, 12, 0, tzinfo=UTC)  # before the offer's expiry (2030-03-01)
T_LAST_DAY = datetime(2030, 3, 1, 23, 59, tzinfo=UTC)
T_EXPIRED = datetime(2030, 3, 2, 0, 0, tzinfo=UTC)


class Clock:
    """A settable "now" for a ledger (``App.new_ledger(clock=...)``)."""

    def __init__(self, now: datetime = T_SEND) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def add_customer(
    ledger: Ledger, customer_id: str, statuses: Sequence[str] = (), account: str | None = None
) -> None:
    """A customer (registered if the ledger can), with an account if ``account`` is given."""
    reg = ledger.submit_raw(
        {
            "type": "register_customer",
            "customer_id": customer_id,
            "name": f"Customer {customer_id}",
            "phone": f"+1212555{100 + next(_phones) % 100:04d}",
            "state": "NY",
            "special_status": list(statuses),
        }
    )
    registered = reg.status in {"registered", "duplicate"}
    assert registered or "unknown command type" in (reg.error or ""), reg
    if registered and account is None:
        return
    opening: dict[str, Any] = {
        "type": "open_account",
        "account_id": account or f"A-{customer_id}",
        "customer_id": customer_id,
    }
    if not registered and statuses:
        opening["special_status"] = list(statuses)
    opened = ledger.submit_raw(opening)
    assert opened.status == "opened", opened


def create_offer(
    offer_id: str = OFFER, expires_on: str = "2030-03-01", **more: Any
) -> dict[str, Any]:
    return {
        "type": "create_offer",
        "offer_id": offer_id,
        "expires_on": expires_on,
        "details": more.pop("details", {"kind": "card", "apr": "12.5", "limit": 5000}),
        "terms": more.pop("terms", "Valid for new cards only."),
        **more,
    }


def respond(customer_id: str, response: str = "ACCEPTED", offer_id: str = OFFER) -> dict[str, Any]:
    return {
        "type": "respond_offer",
        "offer_id": offer_id,
        "customer_id": customer_id,
        "response": response,
    }
