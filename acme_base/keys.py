"""Every key format of the ledger and views tables, in one pure module.

The single-table design of the seed overloads ``PK``/``SK`` and the GSI keys with prefixed
strings; building them anywhere else would let two spellings drift apart. No I/O, no boto3.
"""

from __future__ import annotations

SEQ_WIDTH = 12
DAY_SHARDS = 8  # GSI2 and daily-totals write-sharding of the per-day keys (seed: 750K txns a day)

ACCOUNT_PREFIX = "ACCT#"
TXN_PREFIX = "TXN#"
CUSTOMER_PREFIX = "CUST#"
DECLINED_PREFIX = "DECL#"
TXN_SK_UPPER = "TXN#~"  # sorts after every zero-padded seq: the open end of a seq range
BALANCE_SK = "BALANCE"
TOTALS_SK = "TOTALS"


def account_pk(account_id: str) -> str:
    return f"{ACCOUNT_PREFIX}{account_id}"


def account_of_pk(pk: object) -> str | None:
    """The account id of an ``ACCT#<id>`` key, else None."""
    if isinstance(pk, str) and pk.startswith(ACCOUNT_PREFIX):
        return pk[len(ACCOUNT_PREFIX) :]
    return None


def padded_seq(seq: int) -> str:
    return f"{seq:0{SEQ_WIDTH}d}"


def seq_sk(seq: int) -> str:
    return f"{TXN_PREFIX}{padded_seq(seq)}"


def txn_pk(txn_id: str) -> str:
    return f"{TXN_PREFIX}{txn_id}"


def customer_pk(customer_id: str) -> str:
    return f"{CUSTOMER_PREFIX}{customer_id}"


def phone_key(phone: str) -> str:
    return f"PHONE#{phone}"


def state_key(state: str) -> str:
    return f"STATE#{state}"


UNIQUE_PHONE_PREFIX = "UNIQUE#PHONE#"


def customer_key(customer_id: str) -> dict[str, str]:
    """The customer item: ``PK = SK = CUST#<id>``."""
    return {"PK": customer_pk(customer_id), "SK": customer_pk(customer_id)}


def unique_phone_key(phone: str) -> dict[str, str]:
    """The phone's uniqueness item (``PK = SK = UNIQUE#PHONE#<e164>``): one per phone, so a
    conditional put claims the phone for one customer (DynamoDB's documented pattern)."""
    return {"PK": f"{UNIQUE_PHONE_PREFIX}{phone}", "SK": f"{UNIQUE_PHONE_PREFIX}{phone}"}


def day_shard(account_id: str, shards: int = DAY_SHARDS) -> int:
    """A stable shard per account (not Python's salted hash)."""
    return sum(account_id.encode()) % shards


def day_key(date: str, shard: int) -> str:
    return f"DAY#{date}#{shard}"


OFFER_PREFIX = "OFFER#"


def offer_pk(offer_id: str) -> str:
    """An offer's key value (seed iteration 8): ``OFFER#<MMDDYYYY-N>``."""
    return f"{OFFER_PREFIX}{offer_id}"


def offer_key(offer_id: str) -> dict[str, str]:
    """The offer item: ``PK = SK = OFFER#<id>``."""
    return {"PK": offer_pk(offer_id), "SK": offer_pk(offer_id)}


def customer_offer_key(customer_id: str, offer_id: str) -> dict[str, str]:
    """The customer-offer relationship item: ``PK = CUST#<customer>``, ``SK = OFFER#<id>``."""
    return {"PK": customer_pk(customer_id), "SK": offer_pk(offer_id)}


def is_event_key(pk: object, sk: object) -> bool:
    """An event item's key: ``ACCT#<account>`` / ``TXN#<seq>``."""
    return str(pk).startswith(ACCOUNT_PREFIX) and str(sk).startswith(TXN_PREFIX)


# --- the views table ---------------------------------------------------------------------


def balance_key(account_id: str) -> dict[str, str]:
    return {"PK": account_pk(account_id), "SK": BALANCE_SK}


def daily_key(date: str, shard: int) -> dict[str, str]:
    return {"PK": day_key(date, shard), "SK": TOTALS_SK}


def declined_key(account_id: str, seq: int) -> dict[str, str]:
    return {"PK": f"{DECLINED_PREFIX}{account_id}", "SK": seq_sk(seq)}
