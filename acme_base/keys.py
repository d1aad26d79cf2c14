"""Every key format of the ledger and views tables, in one pure module.

The single-table design of the seed overloads ``PK``/``SK`` and the GSI keys with prefixed
strings; building them anywhere else would let two spellings drift apart. No I/O, no boto3.
"""

from __future__ import annotations

from datetime import UTC, datetime

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


def resolution_claim(pending_txn_id: str) -> str:
    """The txn id a pending's resolution (post, void, expiry) claims, once: "#" never occurs
    in a client's txn id, so no command can take it (issue 11, ``processor.domain.pending``)."""
    return f"resolve#{pending_txn_id}"


#: the open-pending markers' sparse expiry index (issue 11 item 1: the sweeper's Query)
PENDING_SHARDS = 8
PENDING_INDEX_PREFIX = "PENDING#"


def pending_shard(pending_txn_id: str, shards: int = PENDING_SHARDS) -> int:
    """A stable shard of a pending (spreads the markers' index partitions)."""
    return sum(pending_txn_id.encode()) % shards


def pending_index_pk(shard: int) -> str:
    """The expiry index's partition key of an open-pending marker: ``PENDING#<shard>``."""
    return f"{PENDING_INDEX_PREFIX}{shard}"


def expiry_sort_key(at: datetime) -> str:
    """A UTC instant as a fixed-width string that sorts as the instant does (the expiry
    index's sort key: ``<= expiry_sort_key(now)`` is "expired by now")."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


def daily_key(date: str, shard: int, currency: str | None = None) -> dict[str, str]:
    """A day's totals on one write shard: ``SK = TOTALS`` for the default currency (the
    single-currency layout, so existing items stay readable), ``TOTALS#<code>`` for another."""
    sk = TOTALS_SK if currency is None else f"{TOTALS_SK}#{currency}"
    return {"PK": day_key(date, shard), "SK": sk}


def declined_key(account_id: str, seq: int) -> dict[str, str]:
    return {"PK": f"{DECLINED_PREFIX}{account_id}", "SK": seq_sk(seq)}


# --- fraud alerts and profiles (the views table; projections.fraud) ----------------------

ALERT_PREFIX = "ALERT#"
ALERT_SK = "ALERT"
FRAUD_PROFILE_PREFIX = "FRAUD#"
FRAUD_PROFILE_SK = "PROFILE"


def alert_key(alert_id: str) -> dict[str, str]:
    """An alert: ``PK = ALERT#<id>``, ``SK = ALERT`` (its index keys: ``alert_day`` ->
    ``risk_score``, written only on alerts: the sparse risk-score index)."""
    return {"PK": f"{ALERT_PREFIX}{alert_id}", "SK": ALERT_SK}


def fraud_profile_key(account_id: str) -> dict[str, str]:
    """An account's fraud profile (the rules' memory): ``PK = FRAUD#<account>``."""
    return {"PK": f"{FRAUD_PROFILE_PREFIX}{account_id}", "SK": FRAUD_PROFILE_SK}


# --- loyalty points (the views table; apps.loyalty) --------------------------------------

LOYALTY_PREFIX = "LOYALTY#"
LOYALTY_MEMBER_SK = "MEMBER"
LOYALTY_TIER_PREFIX = "TIER#"
LOYALTY_ORDER_PREFIX = "LOYALTY_ORDER#"


def loyalty_member_key(user_id: str) -> dict[str, str]:
    """A member's view: ``PK = LOYALTY#<user>``, ``SK = MEMBER`` (carries ``loyalty_tier``,
    the sparse tier index's key: only member items have it)."""
    return {"PK": f"{LOYALTY_PREFIX}{user_id}", "SK": LOYALTY_MEMBER_SK}


def loyalty_tier_change_key(user_id: str, seq: int) -> dict[str, str]:
    """A member's tier change at ``seq``: beside the member item, ``SK = TIER#<seq>``."""
    return {"PK": f"{LOYALTY_PREFIX}{user_id}", "SK": f"{LOYALTY_TIER_PREFIX}{padded_seq(seq)}"}


def loyalty_order_key(order_id: str, txn_id: str) -> dict[str, str]:
    """An EARN of an order: ``PK = LOYALTY_ORDER#<order>``, ``SK = <txn id>``."""
    return {"PK": f"{LOYALTY_ORDER_PREFIX}{order_id}", "SK": txn_id}


# --- budgets (the views table; apps.budgets): one partition per user ---------------------

BUDGETS_PREFIX = "BUDGETS#"
BUDGET_SK, SPEND_SK, EXPENSE_SK = "BUDGET#", "SPEND#", "EXP#"
NOTE_SK, NOTE_ID_SK = "NOTE#", "NOTEID#"
SPEND_CURSOR_SK = "CURSOR"


def budgets_pk(user_id: str) -> str:
    """A user's budget partition: budgets, spend totals and cursor, expenses, notifications
    (each kind under its own ``SK`` prefix; categories never hold ``#``)."""
    return f"{BUDGETS_PREFIX}{user_id}"


def budget_key(user_id: str, kind: str, *parts: str) -> dict[str, str]:
    """``kind``: one of the ``*_SK`` prefixes above; ``parts`` joined by ``#`` after it."""
    return {"PK": budgets_pk(user_id), "SK": kind + "#".join(parts)}
