"""The account item of the seed's single-table design, written with ``AccountOpened``.

An opening writes the account item (``PK = CUST#<customer>``, ``SK = ACCT#<account>``) and
checks, in the same transaction, that the customer item exists: an account can only be
opened for a registered customer (``register_customer``), race-free. The customer item is
never written here: its details belong to the customer commands (``processor.customers``).
"""

from __future__ import annotations

from typing import Any

from acme_base.aws import serialize
from acme_base.keys import account_pk, customer_key, customer_pk
from processor.domain.commands import OpenAccount

#: the opening's actions, in order: the account put, then the customer check
ACCOUNT_PUT, CUSTOMER_CHECK = 0, 1


def open_account_actions(table: str, cmd: OpenAccount, now: str) -> list[dict[str, Any]]:
    """The account item's conditional put and the customer item's ``ConditionCheck``."""
    account_item = {
        "PK": customer_pk(cmd.customer_id),
        "SK": account_pk(cmd.account_id),
        "INV_PK": account_pk(cmd.account_id),
        "INV_SK": customer_pk(cmd.customer_id),
        "entity": "account",
        "account_id": cmd.account_id,
        "customer_id": cmd.customer_id,
        "currency": cmd.currency,
        "opened_at": now,
    }
    return [
        {
            "Put": {
                "TableName": table,
                "Item": serialize(account_item),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        },
        {
            "ConditionCheck": {
                "TableName": table,
                "Key": serialize(customer_key(cmd.customer_id)),
                "ConditionExpression": "attribute_exists(PK)",
            }
        },
    ]
