"""The customer and phone-uniqueness items of the ledger table, as plain dicts (pure).

- customer: ``PK = SK = CUST#<id>``; ``entity = "customer"``, ``customer_id``, ``name``,
  ``phone`` (E.164), ``state``, ``special_status`` (a string set, ABSENT when empty: DynamoDB
  has no empty sets) with ``special_status_indicator = "yes"`` (ABSENT with it: the sparse
  index GSI_Sparse_Customer_Special_Status, #4), ``GSI1PK = PHONE#<e164>`` /
  ``GSI1SK = CUST#<id>`` (#2), ``GSI2PK = STATE#<code>`` / ``GSI2SK = CUST#<id>`` (#3),
  ``created_at``, ``updated_at``, ``version`` (optimistic concurrency), ``fingerprint`` (of
  the registering command).
- phone uniqueness: ``PK = SK = UNIQUE#PHONE#<e164>``; ``entity = "unique_phone"``,
  ``customer_id``.

An update SETs the managed attributes and REMOVEs the status pair when no status is left, so
attributes other features keep on the customer item are never overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from acme_base.keys import customer_key, customer_pk, phone_key, state_key, unique_phone_key
from processor.customers.model import Customer

CUSTOMER_ENTITY = "customer"
UNIQUE_PHONE_ENTITY = "unique_phone"
INDICATOR = "special_status_indicator"
YES = "yes"


def _managed(customer: Customer) -> dict[str, Any]:
    """The attributes a register or update writes (the status pair aside)."""
    return {
        "name": customer.name,
        "phone": customer.phone,
        "state": customer.state,
        "GSI1PK": phone_key(customer.phone),
        "GSI1SK": customer_pk(customer.customer_id),
        "GSI2PK": state_key(customer.state),
        "GSI2SK": customer_pk(customer.customer_id),
        "updated_at": customer.updated_at,
        "version": customer.version,
    }


def customer_item(customer: Customer) -> dict[str, Any]:
    item = {
        **customer_key(customer.customer_id),
        "entity": CUSTOMER_ENTITY,
        "customer_id": customer.customer_id,
        **_managed(customer),
        "created_at": customer.created_at,
        "fingerprint": customer.fingerprint,
    }
    if customer.special_status:
        item |= {"special_status": set(customer.special_status), INDICATOR: YES}
    return item


def customer_of(item: Mapping[str, Any]) -> Customer:
    return Customer(
        customer_id=str(item["customer_id"]),
        name=str(item.get("name", "")),
        phone=str(item.get("phone", "")),
        state=str(item.get("state", "")),
        special_status=frozenset(str(s) for s in item.get("special_status") or ()),
        created_at=str(item.get("created_at", "")),
        updated_at=str(item.get("updated_at", "")),
        version=int(item.get("version", 1)),
        fingerprint=str(item.get("fingerprint", "")),
    )


def phone_claim_item(phone: str, customer_id: str) -> dict[str, Any]:
    return {**unique_phone_key(phone), "entity": UNIQUE_PHONE_ENTITY, "customer_id": customer_id}


def update_parts(before: Customer, after: Customer) -> dict[str, Any]:
    """``UpdateExpression``, names, plain values and the ``version`` condition of an update."""
    values = {f":{k}": v for k, v in _managed(after).items()}
    names = {f"#{k}": k for k in _managed(after)}
    sets = [f"#{k} = :{k}" for k in _managed(after)]
    removes = []
    names |= {"#ss": "special_status", "#ssi": INDICATOR}
    if after.special_status:
        values |= {":ss": set(after.special_status), ":yes": YES}
        sets += ["#ss = :ss", "#ssi = :yes"]
    else:  # REMOVE, never "no": the customer must leave the sparse index
        removes = ["#ss", "#ssi"]
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    values[":expected"] = before.version
    return {
        "UpdateExpression": expression,
        "ConditionExpression": "#version = :expected",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }
