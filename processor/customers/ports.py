"""The customer store port: what the customer commands need from storage, and no more.

Two implementations honour it, held to the same behaviour by one contract suite
(``tests/contract/test_customer_store_contract.py``):
``processor.customers.store.DynamoCustomerStore`` on the ledger table and the in-memory twin
``processor.customers.memory.MemoryCustomerStore`` (on the in-memory event store's records,
so ``open_account``'s customer check sees the same customers).

Every write is one atomic, conditional transaction:

- ``register``: the customer item (``attribute_not_exists``) and its phone's uniqueness item
  ``UNIQUE#PHONE#<e164>`` (``attribute_not_exists``), both or neither. A taken customer id
  raises ``CustomerExists`` (with the customer stored; it wins over a taken phone), a taken
  phone ``PhoneTaken``.
- ``update``: the customer item, on condition that its ``version`` is still the one read
  (else ``StaleCustomer``: re-read and retry); on a phone change, in the same transaction, the
  old uniqueness item is deleted on condition that it names this customer and the new one is
  claimed (``PhoneTaken`` if another customer holds it).
"""

from __future__ import annotations

from typing import Protocol

from acme_base.errors import InvalidInput
from processor.customers.model import Customer


class CustomerExists(Exception):
    """The customer id is registered already (``existing``: the customer stored under it)."""

    def __init__(self, existing: Customer) -> None:
        super().__init__(f"customer {existing.customer_id} exists")
        self.existing = existing


class PhoneTaken(InvalidInput):
    """Another customer holds the phone (nothing was written)."""

    def __init__(self, phone: str) -> None:
        super().__init__(f"phone {phone} is already registered to another customer")
        self.phone = phone


class StaleCustomer(Exception):
    """The customer changed (or a concurrent transaction touched its items) since it was
    read: nothing was written; re-read and retry."""


class CustomerStore(Protocol):
    def customer(self, customer_id: str) -> Customer | None:
        """The customer (strongly consistent), or None."""
        ...

    def phone_owner(self, phone: str) -> str | None:
        """The customer id holding an E.164 phone's uniqueness item, or None."""
        ...

    def register(self, customer: Customer) -> None:
        """Write a new customer and claim its phone, or raise ``CustomerExists`` /
        ``PhoneTaken`` / ``StaleCustomer`` (a concurrent transaction) with nothing written."""
        ...

    def update(self, before: Customer, after: Customer) -> None:
        """Replace ``before`` (as read, by its ``version``) with ``after`` and move the phone's
        uniqueness item if the phone changed; ``StaleCustomer`` or ``PhoneTaken`` with nothing
        written."""
        ...
