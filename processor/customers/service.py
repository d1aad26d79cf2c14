"""The customer commands' rules (storage is the ``CustomerStore`` port).

- ``register_customer`` writes the customer and claims its phone in one transaction. The same
  payload again (same fingerprint: phones, states and statuses compared normalised) is a
  ``duplicate`` of the original outcome, even after later updates; another payload under a
  registered id is ``rejected`` (change a customer with ``update_customer``); a phone another
  customer holds is ``rejected`` naming the phone.
- ``update_customer`` reads the customer, applies the changes (pure:
  ``model.apply_changes``) and writes on condition that nobody changed it since (its
  ``version``); a lost race re-reads and retries with full-jitter backoff. Nothing to change
  (the same update sent again) writes nothing and answers ``updated`` with ``changed: []``.

Customers are state items, not events: the event log stays the truth for money, and the
ledger table's stream (``NEW_AND_OLD_IMAGES``) carries every customer change with its old and
new image for any consumer that wants an audit trail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel

from acme_base.errors import ContentionExhausted, InvalidInput, UnknownCustomer
from acme_base.retry import Backoff
from processor.customers.commands import (
    CUSTOMER_COMMANDS,
    CustomerCommand,
    RegisterCustomer,
    UpdateCustomer,
)
from processor.customers.model import Customer, apply_changes
from processor.customers.ports import CustomerExists, CustomerStore, StaleCustomer
from processor.domain.outcomes import Outcome
from processor.domain.registry import Registry


class CustomerOutcome(Outcome):
    """A customer command's outcome line: the ledger's fields plus the customer's."""

    customer_id: str | None = None
    phone: str | None = None
    state: str | None = None
    special_status: list[str] | None = None
    version: int | None = None
    changed: list[str] | None = None


def _answer(status: str, customer: Customer, **more: object) -> CustomerOutcome:
    return CustomerOutcome.model_validate(
        {
            "status": status,
            "customer_id": customer.customer_id,
            "phone": customer.phone,
            "state": customer.state,
            "special_status": sorted(customer.special_status),
            "version": customer.version,
            **more,
        }
    )


Handler = Callable[["CustomerService", Any, str], Outcome]


@dataclass
class CustomerService:
    store: CustomerStore
    backoff: Backoff = field(default_factory=Backoff)
    #: every customer command's class -> its method (looked up on the service when it runs),
    #: checked exhaustive over the customers' types (``processor.domain.registry``)
    HANDLERS: ClassVar[Mapping[type[BaseModel], Handler]] = Registry(CUSTOMER_COMMANDS).cover(
        {
            RegisterCustomer: lambda service, cmd, now: service._register(cmd, now),
            UpdateCustomer: lambda service, cmd, now: service._update(cmd, now),
        }
    )

    def handle(self, cmd: CustomerCommand, now: datetime) -> Outcome:
        """Run one customer command; bad input is ``rejected`` (nothing written)."""
        try:
            return self.HANDLERS[type(cmd)](self, cmd, now.isoformat())
        except InvalidInput as exc:
            return CustomerOutcome(status="rejected", customer_id=cmd.customer_id, error=str(exc))

    def _register(self, cmd: RegisterCustomer, now: str) -> Outcome:
        new = Customer(
            customer_id=cmd.customer_id,
            name=cmd.name,
            phone=cmd.phone,
            state=cmd.state,
            special_status=frozenset(cmd.special_status),
            created_at=now,
            updated_at=now,
            fingerprint=cmd.fingerprint(),
        )
        for attempt in self.backoff.attempts():
            try:
                self.store.register(new)
            except CustomerExists as taken:
                if taken.existing.fingerprint != new.fingerprint:
                    raise InvalidInput(
                        f"customer {cmd.customer_id!r} is already registered with other "
                        "details; change them with update_customer"
                    ) from None
                return _answer("duplicate", new, original_status="registered")
            except StaleCustomer:
                self.backoff.sleep(attempt)
                continue
            return _answer("registered", new)
        raise ContentionExhausted(f"register customer {cmd.customer_id}: gave up")

    def _update(self, cmd: UpdateCustomer, now: str) -> Outcome:
        for attempt in self.backoff.attempts():
            before = self.store.customer(cmd.customer_id)
            if before is None:
                raise UnknownCustomer(cmd.customer_id)
            after, changed = apply_changes(before, cmd.changes(), now)
            if not changed:
                return _answer("updated", before, changed=[])
            try:
                self.store.update(before, after)
            except StaleCustomer:
                self.backoff.sleep(attempt)
                continue
            return _answer("updated", after, changed=changed)
        raise ContentionExhausted(f"update customer {cmd.customer_id}: gave up")
