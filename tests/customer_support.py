"""Test helpers for customers: an account can only be opened for a registered customer, so
tests register theirs first, through the ledger (``register``) or, for tests of a bare event
store, straight into the customer store on the same table (``register_in``).

Each customer id gets its own valid phone (``phone_of``: stable within a test run), so
registering an id again is a ``duplicate``, never a phone clash (``register_in`` stores the
fingerprint of the same ``registration``, so the ledger sees it as registered the same way).
"""

from __future__ import annotations

import contextlib
import itertools
from typing import Any

from processor.customers.commands import RegisterCustomer, parse_customer_command
from processor.customers.memory import MemoryCustomerStore
from processor.customers.model import Customer
from processor.customers.ports import CustomerExists, CustomerStore
from processor.customers.store import DynamoCustomerStore
from processor.services.ledger import Ledger
from processor.storage.memory import MemoryEventStore
from processor.storage.ports import EventStore

_AREAS = (646, 917, 347, 718)
_counter = itertools.count()
_phones: dict[str, str] = {}


def phone_of(customer_id: str) -> str:
    """A valid US phone of this customer id, the same every time (E.164)."""
    if customer_id not in _phones:
        n = next(_counter)
        _phones[customer_id] = f"+1{_AREAS[n // 10000 % 4]}555{n % 10000:04d}"
    return _phones[customer_id]


def registration(customer_id: str, **fields: Any) -> dict[str, Any]:
    """A ``register_customer`` command (``fields`` override the defaults)."""
    return {
        "type": "register_customer",
        "customer_id": customer_id,
        "name": f"Customer {customer_id}",
        "phone": phone_of(customer_id),
        "state": "NY",
        **fields,
    }


def register(ledger: Ledger, *customer_ids: str) -> None:
    """Register each customer through the ledger (registered, or a duplicate of it)."""
    for customer_id in customer_ids:
        outcome = ledger.submit_raw(registration(customer_id))
        assert outcome.status in {"registered", "duplicate"}, outcome


def customer_store_of(store: EventStore) -> CustomerStore:
    """The customer store on the same table (or in-memory records) as ``store``."""
    if isinstance(store, MemoryEventStore):
        return MemoryCustomerStore(store)
    return DynamoCustomerStore(store.client, store.table)  # type: ignore[attr-defined]


def register_in(store: EventStore, *customer_ids: str) -> None:
    """Register each customer beside a bare event store (tests of the store itself)."""
    customers, at = customer_store_of(store), "2026-01-01T00:00:00+00:00"
    for customer_id in customer_ids:
        cmd = parse_customer_command(registration(customer_id))
        assert isinstance(cmd, RegisterCustomer)
        customer = Customer(
            customer_id, cmd.name, cmd.phone, cmd.state, frozenset(), at, at, 1, cmd.fingerprint()
        )
        with contextlib.suppress(CustomerExists):  # as registered before: a duplicate
            customers.register(customer)
