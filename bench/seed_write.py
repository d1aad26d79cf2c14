"""The seed's write path (ACME iteration 11), the baseline the benchmarks compare us to.

One command is: ``GetItem`` of the account item (``PK=CUST#c, SK=ACCT#a``, strongly
consistent), then one ``TransactWriteItems``: update ``acct_balance`` and ``acct_last_txn``
under the condition that ``acct_last_txn`` is still the value read (a debit also needs the
balance to cover it), and put the txn item (``PK=TXN#id, SK=ACCT#a``) if it does not exist.
A failed account condition means "a new txn came in before this one": read again and retry
(the seed retries at once; no backoff). A debit the read balance cannot cover is the seed's
optional exercise: the txn item is written with ``txn_status=declined`` and a decline reason
(so it lands in ``GSI_Sparse_TXN_Declined``), the account untouched but checked.

The key formats are the seed's own, on purpose not ``acme_base.keys`` (they are not ours).
The txn item carries the seed's index attributes on our table shape: the inverted index
(``ACCT#`` -> ``TXN#``, pattern #9), GSI1 (``ACCT#`` -> date, #11) and GSI2 (date -> account,
#12), so its index writes are counted like ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from acme_base.aws import call, deserialize, serialize, transact_write
from acme_base.errors import TransactionCancelled

MAX_ATTEMPTS = 200


@dataclass(frozen=True)
class SeedResult:
    """What one seed command came to, and how many times it re-read and retried."""

    status: str  # approved | declined | duplicate
    retries: int
    balance_after: int


def account_key(customer_id: str, account_id: str) -> dict[str, Any]:
    return serialize({"PK": f"CUST#{customer_id}", "SK": f"ACCT#{account_id}"})


def account_item(customer_id: str, account_id: str, balance: int = 0) -> dict[str, Any]:
    """The seed's account item (iteration 4 + the iteration-11 counter)."""
    return {
        "PK": f"CUST#{customer_id}",
        "SK": f"ACCT#{account_id}",
        "INV_PK": f"ACCT#{account_id}",
        "INV_SK": f"CUST#{customer_id}",
        "acct_type": "checking",
        "acct_balance": balance,
        "acct_last_txn": 0,
    }


def txn_item(
    account_id: str, txn_id: str, amount: int, kind: str, *, now: datetime, declined: bool = False
) -> dict[str, Any]:
    """The seed's txn item (TXN#, ACCT#), with its index attributes on our table shape."""
    date = now.strftime("%Y/%m/%d")
    item: dict[str, Any] = {
        "PK": f"TXN#{txn_id}",
        "SK": f"ACCT#{account_id}",
        "INV_PK": f"ACCT#{account_id}",
        "INV_SK": f"TXN#{txn_id}",
        "GSI1PK": f"ACCT#{account_id}",
        "GSI1SK": f"{date}#{txn_id}",
        "GSI2PK": date,
        "GSI2SK": f"ACCT#{account_id}#{txn_id}",
        "txn_type": kind,
        "txn_amount": amount,
        "txn_date": date,
        "txn_time": now.isoformat(),
        "txn_status": "declined" if declined else "approved",
    }
    if declined:
        item["txn_declined_reason"] = "low_balance"
    return item


def open_account(client: Any, table: str, customer_id: str, account_id: str, balance: int) -> None:
    call(
        "seed: put account",
        client.put_item,
        TableName=table,
        Item=serialize(account_item(customer_id, account_id, balance)),
    )


def read_account(client: Any, table: str, customer_id: str, account_id: str) -> dict[str, Any]:
    resp = call(
        "seed: get account",
        client.get_item,
        TableName=table,
        Key=account_key(customer_id, account_id),
        ConsistentRead=True,
    )
    return deserialize(resp["Item"])


def submit(
    client: Any,
    table: str,
    owner: tuple[str, str],
    txn_id: str,
    amount: int,
    *,
    kind: str = "credit",
) -> SeedResult:
    """One seed credit or debit (minor units) on ``owner`` = (customer id, account id),
    re-reading and retrying on a stale counter."""
    customer_id, account_id = owner
    for attempt in range(MAX_ATTEMPTS):
        account = read_account(client, table, customer_id, account_id)
        last, balance = int(account["acct_last_txn"]), int(account["acct_balance"])
        declined = kind == "debit" and balance < amount
        delta = 0 if declined else (amount if kind == "credit" else -amount)
        actions = [
            _account_action(table, (customer_id, account_id), last, delta, declined=declined),
            {
                "Put": {
                    "TableName": table,
                    "Item": serialize(
                        txn_item(
                            account_id,
                            txn_id,
                            amount,
                            kind,
                            now=datetime.now(UTC),
                            declined=declined,
                        )
                    ),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
        ]
        try:
            transact_write(client, actions, "seed: txn")
        except TransactionCancelled as exc:
            if 1 in exc.failed():
                return SeedResult("duplicate", attempt, balance)
            if 0 in exc.failed() or exc.conflict:
                continue  # stale acct_last_txn: read the latest and try again
            raise
        status = "declined" if declined else "approved"
        return SeedResult(status, attempt, balance + delta)
    raise RuntimeError(f"seed: {txn_id} gave up after {MAX_ATTEMPTS} attempts")


def _account_action(
    table: str, owner: tuple[str, str], last: int, delta: int, *, declined: bool
) -> dict[str, Any]:
    """Update balance and counter if the counter is unchanged (a decline only checks it)."""
    key = account_key(*owner)
    values = serialize({":last": last})
    if declined:
        return {
            "ConditionCheck": {
                "TableName": table,
                "Key": key,
                "ConditionExpression": "acct_last_txn = :last",
                "ExpressionAttributeValues": values,
            }
        }
    values.update(serialize({":next": last + 1, ":delta": delta, ":need": -delta}))
    return {
        "Update": {
            "TableName": table,
            "Key": key,
            "UpdateExpression": "SET acct_balance = acct_balance + :delta, acct_last_txn = :next",
            "ConditionExpression": "acct_last_txn = :last AND acct_balance >= :need",
            "ExpressionAttributeValues": values,
        }
    }
