"""The DynamoDB customer store: customers and phone-uniqueness items on the ledger table.

Each write is one ``TransactWriteItems`` (see ``processor.customers.ports`` for the
conditions); the typed cancellation reasons of ``acme_base.aws.transact_write`` say which
condition failed, and a failed customer put returns the stored item (``ALL_OLD``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from acme_base.aws import call, deserialize, serialize, transact_write
from acme_base.errors import InvariantViolation, TransactionCancelled
from acme_base.keys import customer_key, unique_phone_key
from processor.customers.items import customer_item, customer_of, phone_claim_item, update_parts
from processor.customers.model import Customer
from processor.customers.ports import CustomerExists, PhoneTaken, StaleCustomer

NOT_EXISTS = "attribute_not_exists(PK)"


@dataclass
class DynamoCustomerStore:
    """``processor.customers.ports.CustomerStore`` on the ledger table."""

    client: Any
    table: str

    def customer(self, customer_id: str) -> Customer | None:
        item = self._get(customer_key(customer_id), "read customer")
        return customer_of(item) if item is not None else None

    def phone_owner(self, phone: str) -> str | None:
        item = self._get(unique_phone_key(phone), "read phone claim")
        return str(item["customer_id"]) if item is not None else None

    def register(self, customer: Customer) -> None:
        actions = [
            self._put(customer_item(customer), all_old=True),
            self._put(phone_claim_item(customer.phone, customer.customer_id)),
        ]
        try:
            transact_write(self.client, actions, f"register customer {customer.customer_id}")
        except TransactionCancelled as exc:
            failed = exc.failed()
            if 0 in failed:
                old = exc.reasons[0].item
                existing = customer_of(old) if old else self.customer(customer.customer_id)
                if existing is None:  # pragma: no cover - seen by the condition, then gone
                    raise StaleCustomer() from exc
                raise CustomerExists(existing) from exc
            if 1 in failed:
                raise PhoneTaken(customer.phone) from exc
            if exc.conflict:
                raise StaleCustomer() from exc
            raise

    def update(self, before: Customer, after: Customer) -> None:
        actions = [self._update(before, after)]
        moving = before.phone != after.phone
        if moving:
            actions += [
                self._release(before),
                self._put(phone_claim_item(after.phone, after.customer_id)),
            ]
        try:
            transact_write(self.client, actions, f"update customer {after.customer_id}")
        except TransactionCancelled as exc:
            failed = exc.failed()
            if 0 in failed or exc.conflict:
                raise StaleCustomer() from exc
            if 2 in failed:
                raise PhoneTaken(after.phone) from exc
            if 1 in failed:
                raise InvariantViolation(
                    f"customer {before.customer_id}: phone {before.phone} is not claimed by it"
                ) from exc
            raise

    # --- actions --------------------------------------------------------------------------

    def _put(self, item: dict[str, Any], all_old: bool = False) -> dict[str, Any]:
        """A conditional put: the key must be free (mutation tests patch this)."""
        put: dict[str, Any] = {
            "TableName": self.table,
            "Item": serialize(item),
            "ConditionExpression": NOT_EXISTS,
        }
        if all_old:
            put["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return {"Put": put}

    def _update(self, before: Customer, after: Customer) -> dict[str, Any]:
        parts = update_parts(before, after)
        parts["ExpressionAttributeValues"] = serialize(parts["ExpressionAttributeValues"])
        return {
            "Update": {
                "TableName": self.table,
                "Key": serialize(customer_key(after.customer_id)),
                **parts,
            }
        }

    def _release(self, before: Customer) -> dict[str, Any]:
        """Delete the old phone's claim, only if it is this customer's."""
        return {
            "Delete": {
                "TableName": self.table,
                "Key": serialize(unique_phone_key(before.phone)),
                "ConditionExpression": "customer_id = :me",
                "ExpressionAttributeValues": serialize({":me": before.customer_id}),
            }
        }

    def _get(self, key: dict[str, str], what: str) -> dict[str, Any] | None:
        resp = call(
            what,
            self.client.get_item,
            TableName=self.table,
            Key=serialize(key),
            ConsistentRead=True,
        )
        item = resp.get("Item")
        return deserialize(item) if item else None
