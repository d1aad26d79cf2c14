"""Planted bugs in the customer store and the opening's customer check (catalogued in
``mutants.MUTATIONS``, caught by ``CustomerMachine``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from unittest import mock

from processor.customers import store as customer_store
from processor.customers.model import Customer
from processor.customers.store import DynamoCustomerStore


@contextlib.contextmanager
def indicator_set_no() -> Iterator[None]:
    """When the last status goes, the indicator is SET to "no" instead of REMOVED: the customer
    stays in the sparse special-status index (the seed's warning, iteration 6)."""
    real = customer_store.update_parts

    def update_parts(before: Customer, after: Customer) -> dict[str, Any]:
        parts = real(before, after)
        if not after.special_status:
            parts["UpdateExpression"] = parts["UpdateExpression"].replace(
                " REMOVE #ss, #ssi", ", #ssi = :no REMOVE #ss"
            )
            parts["ExpressionAttributeValues"][":no"] = "no"
        return parts

    with mock.patch.object(customer_store, "update_parts", update_parts):
        yield


@contextlib.contextmanager
def phone_claim_unconditional() -> Iterator[None]:
    """The phone's uniqueness item is put without ``attribute_not_exists``: a second customer
    takes a phone another holds (the claim is overwritten)."""
    real = DynamoCustomerStore._put

    def put(self: DynamoCustomerStore, item: dict[str, Any], all_old: bool = False) -> Any:
        action = real(self, item, all_old)
        if str(item.get("PK", "")).startswith("UNIQUE#PHONE#"):
            del action["Put"]["ConditionExpression"]
        return action

    with mock.patch.object(DynamoCustomerStore, "_put", put):
        yield


@contextlib.contextmanager
def phone_move_keeps_old_claim() -> Iterator[None]:
    """A phone change claims the new phone but never releases the old one: the old phone
    stays taken by nobody's current number."""

    def release(self: DynamoCustomerStore, before: Customer) -> dict[str, Any]:
        from acme_base.aws import serialize
        from acme_base.keys import unique_phone_key

        return {
            "ConditionCheck": {
                "TableName": self.table,
                "Key": serialize(unique_phone_key(before.phone)),
                "ConditionExpression": "attribute_exists(PK)",
            }
        }

    with mock.patch.object(DynamoCustomerStore, "_release", release):
        yield


@contextlib.contextmanager
def open_without_customer_check() -> Iterator[None]:
    """An opening no longer checks that its customer is registered."""
    from processor.storage import store as event_store

    real = event_store.open_account_actions

    def open_account_actions(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return real(*args, **kwargs)[:1]  # the account put only

    with mock.patch.object(event_store, "open_account_actions", open_account_actions):
        yield
