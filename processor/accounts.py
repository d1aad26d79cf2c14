"""Customer and account items of the seed's single-table design (iterations 1-7).

Written with the AccountOpened event in one transaction; they are not events, so a later
update of customer details never rewrites history.
"""

from __future__ import annotations

from typing import Any

from acme_base.aws import serialize
from acme_base.keys import account_pk, customer_pk, phone_key, state_key
from processor.commands import OpenAccount


def open_account_actions(table: str, cmd: OpenAccount, now: str) -> list[dict[str, Any]]:
    """The account item (PK=CUST#, SK=ACCT#) and an upsert of the customer item."""
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
    names = {"#e": "entity", "#c": "customer_id", "#at": "created_at"}
    values: dict[str, Any] = {":e": "customer", ":c": cmd.customer_id, ":now": now}
    sets = ["#e = :e", "#c = :c", "#at = if_not_exists(#at, :now)"]
    if cmd.phone:  # access pattern #2 via overloaded GSI1
        names |= {"#g1p": "GSI1PK", "#g1s": "GSI1SK", "#ph": "phone"}
        values |= {
            ":g1p": phone_key(cmd.phone),
            ":g1s": customer_pk(cmd.customer_id),
            ":ph": cmd.phone,
        }
        sets += ["#g1p = :g1p", "#g1s = :g1s", "#ph = :ph"]
    if cmd.state:  # access pattern #3 via overloaded GSI2
        names |= {"#g2p": "GSI2PK", "#g2s": "GSI2SK", "#st": "state"}
        values |= {
            ":g2p": state_key(cmd.state),
            ":g2s": customer_pk(cmd.customer_id),
            ":st": cmd.state,
        }
        sets += ["#g2p = :g2p", "#g2s = :g2s", "#st = :st"]
    if cmd.special_status:  # access pattern #4 via the sparse special-status index
        names |= {"#ss": "special_status", "#ssi": "special_status_indicator"}
        values |= {":ss": set(cmd.special_status), ":yes": "yes"}
        sets += ["#ss = :ss", "#ssi = :yes"]
    return [
        {
            "Put": {
                "TableName": table,
                "Item": serialize(account_item),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        },
        {
            "Update": {
                "TableName": table,
                "Key": serialize(
                    {"PK": customer_pk(cmd.customer_id), "SK": customer_pk(cmd.customer_id)}
                ),
                "UpdateExpression": "SET " + ", ".join(sets),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": serialize(values),
            }
        },
    ]
