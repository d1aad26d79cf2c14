"""The in-memory customer store: ``processor.customers.ports.CustomerStore`` in plain Python.

It keeps the DynamoDB adapter's semantics (the contract suite runs the same tests on both):
each write checks every condition, then writes all or nothing. Its records are the in-memory
event store's (``MemoryEventStore.customers`` and ``.phones``, under that store's lock), as
the DynamoDB items share the ledger table: so ``open_account``'s customer check and the offer
store's audience queries see the same customers, race-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from acme_base.errors import InvariantViolation
from processor.customers.model import Customer
from processor.customers.ports import CustomerExists, PhoneTaken, StaleCustomer
from processor.storage.memory import MemoryEventStore


@dataclass
class MemoryCustomerStore:
    events: MemoryEventStore = field(default_factory=MemoryEventStore)

    def customer(self, customer_id: str) -> Customer | None:
        with self.events.lock:
            return self.events.customers.get(customer_id)

    def phone_owner(self, phone: str) -> str | None:
        with self.events.lock:
            return self.events.phones.get(phone)

    def register(self, customer: Customer) -> None:
        with self.events.lock:
            existing = self.events.customers.get(customer.customer_id)
            if existing is not None:
                raise CustomerExists(existing)
            if customer.phone in self.events.phones:
                raise PhoneTaken(customer.phone)
            self.events.customers[customer.customer_id] = customer
            self.events.phones[customer.phone] = customer.customer_id

    def update(self, before: Customer, after: Customer) -> None:
        phones = self.events.phones
        with self.events.lock:
            current = self.events.customers.get(before.customer_id)
            if current is None or current.version != before.version:
                raise StaleCustomer()
            if before.phone != after.phone:
                if after.phone in phones:
                    raise PhoneTaken(after.phone)
                if phones.get(before.phone) != before.customer_id:
                    raise InvariantViolation(
                        f"customer {before.customer_id}: phone {before.phone} is not claimed by it"
                    )
                del phones[before.phone]
                phones[after.phone] = after.customer_id
            self.events.customers[after.customer_id] = after
