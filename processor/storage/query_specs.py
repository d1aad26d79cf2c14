"""The bank's access patterns as key conditions (pure), and their input checks.

Each function returns the one ``KeyQuery`` (or, for a sharded or per-reason pattern, the
``KeyQuery`` per partition) that serves an access pattern of the seed; ``processor.reads.queries``
runs them. Keeping them here, without I/O, lets the unit tests pin every key condition and
lets ``docs/data-model.md`` list them as they are.

Inputs are checked before anything is read: ids by the command id pattern, phones normalised
to E.164, states as US codes, dates as ISO ``YYYY-MM-DD`` (the ledger stores ``txn_date``
ISO; the seed's ``2022/06/19`` is refused with the ISO spelling suggested).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, get_args

from acme_base.errors import InvalidInput
from acme_base.keys import (
    ACCOUNT_PREFIX,
    CUSTOMER_PREFIX,
    DAY_SHARDS,
    TXN_SK_UPPER,
    account_pk,
    customer_pk,
    day_key,
    phone_key,
    seq_sk,
    state_key,
)
from acme_base.tables import GSI1, GSI2, GSI_DECLINED, GSI_INVERTED, GSI_SPECIAL_STATUS
from processor.domain import contact
from processor.domain.commands import SpecialStatus
from processor.storage.paging import Partition

#: matched whole (``fullmatch``: ``$`` would let a trailing newline through)
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_RANGE_DAYS = 3660
SPECIAL_STATUSES: tuple[str, ...] = get_args(SpecialStatus)

TABLE_KEYS = ("PK", "SK")
#: the attributes of a key in each index (table keys + index keys): a cursor's shape
INDEX_KEYS: dict[str | None, tuple[str, ...]] = {
    None: TABLE_KEYS,
    GSI_INVERTED: (*TABLE_KEYS, "INV_PK", "INV_SK"),
    GSI1: (*TABLE_KEYS, "GSI1PK", "GSI1SK"),
    GSI2: (*TABLE_KEYS, "GSI2PK", "GSI2SK"),
    GSI_DECLINED: (*TABLE_KEYS, "txn_declined_reason", "txn_date"),
    GSI_SPECIAL_STATUS: (*TABLE_KEYS, "special_status_indicator"),
}
#: "transactions" leave out the events that move no money (opening, snapshot, block, unblock)
NOT_OPEN = "NOT #kind IN (:open, :block, :unblock, :limits, :close)"
NO_MONEY = {":open": "open", ":block": "block", ":unblock": "unblock"} | {
    ":limits": "limits",
    ":close": "close",
}


@dataclass(frozen=True)
class KeyQuery:
    """One DynamoDB Query: index (None: the table), key condition, optional filter."""

    index: str | None
    condition: str
    values: Mapping[str, str]
    partition: Partition
    forward: bool = True
    filter: str | None = None
    names: Mapping[str, str] = field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        """Plain Query parameters (values still plain: ``serialize`` them for the client)."""
        params: dict[str, Any] = {
            "KeyConditionExpression": self.condition,
            "ExpressionAttributeValues": dict(self.values),
            "ScanIndexForward": self.forward,
        }
        if self.index is not None:
            params["IndexName"] = self.index
        if self.filter is not None:
            params["FilterExpression"] = self.filter
        if self.names:
            params["ExpressionAttributeNames"] = dict(self.names)
        return params


def _query(index: str | None, attr: str, value: str, condition: str, **more: Any) -> KeyQuery:
    values = {":pk": value, **more.pop("values", {})}
    partition = Partition(attr, value, INDEX_KEYS[index])
    return KeyQuery(index, condition, values, partition, **more)


# --- input checks --------------------------------------------------------------------------


def check_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not ID_RE.fullmatch(value):
        raise InvalidInput(f"{what} {value!r} is not a valid id (1-64 of A-Z a-z 0-9 _ . : -)")
    return value


def normalize_phone(text: str) -> str:
    """E.164, exactly as the customers' commands store it (one normalisation for both)."""
    return contact.normalize_phone(text)


def parse_state(text: str) -> str:
    """A US state or territory code, exactly as the customers' commands accept it."""
    return contact.parse_state(text)


def parse_status(text: str | None) -> str | None:
    if text is None:
        return None
    if text not in SPECIAL_STATUSES:
        raise InvalidInput(f"special status {text!r} is unknown (known: {SPECIAL_STATUSES})")
    return text


def parse_iso_date(text: str, what: str) -> str:
    """A date as the ledger stores it (ISO ``YYYY-MM-DD``), or InvalidInput."""
    value = text.strip() if isinstance(text, str) else ""
    hint = value.replace("/", "-")
    if not ISO_DATE_RE.match(value):
        extra = f" (dates are ISO: {hint!r})" if ISO_DATE_RE.match(hint) else ""
        raise InvalidInput(f"{what} {text!r} is not a date YYYY-MM-DD{extra}")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise InvalidInput(f"{what} {text!r} is not a date: {exc}") from exc


def parse_range(date_from: str, date_to: str) -> tuple[str, str]:
    first, last = parse_iso_date(date_from, "--from"), parse_iso_date(date_to, "--to")
    days = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
    if days < 1:
        raise InvalidInput(f"--to {last} is before --from {first}")
    if days > MAX_RANGE_DAYS:
        raise InvalidInput(f"date range of {days} days is too long (at most {MAX_RANGE_DAYS})")
    return first, last


# --- the access patterns ---------------------------------------------------------------------


def customer_key(customer_id: str) -> dict[str, str]:
    """A customer by id: GetItem ``PK = SK = CUST#<id>``."""
    pk = customer_pk(check_id(customer_id, "customer"))
    return {"PK": pk, "SK": pk}


def txn_key(txn_id: str) -> dict[str, str]:
    """#10 a txn by its number: GetItem ``PK = SK = TXN#<id>`` (the idempotency record)."""
    pk = f"TXN#{check_id(txn_id, 'txn')}"
    return {"PK": pk, "SK": pk}


def customer_by_phone(phone: str) -> KeyQuery:
    """#2: GSI1 ``PHONE#<e164>`` (phones are unique: at most one item)."""
    return _query(
        GSI1,
        "GSI1PK",
        phone_key(normalize_phone(phone)),
        "GSI1PK = :pk AND begins_with(GSI1SK, :c)",
        values={":c": CUSTOMER_PREFIX},
    )


def customers_by_state(state: str) -> KeyQuery:
    """#3: GSI2 ``STATE#<code>``, customers in id order."""
    return _query(
        GSI2,
        "GSI2PK",
        state_key(parse_state(state)),
        "GSI2PK = :pk AND begins_with(GSI2SK, :c)",
        values={":c": CUSTOMER_PREFIX},
    )


def special_customers(status: str | None = None) -> KeyQuery:
    """#4: the sparse index, partition ``special_status_indicator = yes``; one status by a
    filter on the string set (the index holds ~0.15% of customers, so the filter is cheap)."""
    wanted = parse_status(status)
    more: dict[str, Any] = {}
    if wanted is not None:
        more = {"filter": "contains(special_status, :st)", "values": {":st": wanted}}
    return _query(
        GSI_SPECIAL_STATUS,
        "special_status_indicator",
        "yes",
        "special_status_indicator = :pk",
        **more,
    )


def accounts_of_customer(customer_id: str) -> KeyQuery:
    """A customer's accounts: the table, ``PK = CUST#<id>``, ``SK`` beginning ``ACCT#``."""
    return _query(
        None,
        "PK",
        customer_pk(check_id(customer_id, "customer")),
        "PK = :pk AND begins_with(SK, :a)",
        values={":a": ACCOUNT_PREFIX},
    )


def account_by_number(account_id: str) -> KeyQuery:
    """An account by number, and with it its customer: GSI_Inverted ``INV_PK = ACCT#<id>``."""
    return _query(
        GSI_INVERTED,
        "INV_PK",
        account_pk(check_id(account_id, "account")),
        "INV_PK = :pk AND begins_with(INV_SK, :c)",
        values={":c": CUSTOMER_PREFIX},
    )


def last_txns(account_id: str) -> KeyQuery:
    """#9: the account's events newest first (seq 1 up: the opening is not a transaction)."""
    return _query(
        None,
        "PK",
        account_pk(check_id(account_id, "account")),
        "PK = :pk AND SK BETWEEN :lo AND :hi",
        values={":lo": seq_sk(1), ":hi": TXN_SK_UPPER},
        forward=False,
    )


def txns_in_range(account_id: str, date_from: str, date_to: str) -> KeyQuery:
    """#11: GSI1 ``ACCT#<id>`` with ``GSI1SK`` (``<txn_date>#<seq>``) in the date range."""
    first, last = parse_range(date_from, date_to)
    return _query(
        GSI1,
        "GSI1PK",
        account_pk(check_id(account_id, "account")),
        "GSI1PK = :pk AND GSI1SK BETWEEN :lo AND :hi",
        values={":lo": f"{first}#", ":hi": f"{last}#~", **NO_MONEY},
        filter=NOT_OPEN,
        names={"#kind": "kind"},
    )


def txns_of_day(day: str) -> list[KeyQuery]:
    """#12: GSI2, one query per write shard ``DAY#<date>#<0..7>``, merged by ``GSI2SK``."""
    checked = parse_iso_date(day, "--date")
    return [
        _query(
            GSI2,
            "GSI2PK",
            day_key(checked, shard),
            "GSI2PK = :pk",
            values=dict(NO_MONEY),
            filter=NOT_OPEN,
            names={"#kind": "kind"},
        )
        for shard in range(DAY_SHARDS)
    ]


def declined_in_range(reasons: list[str], date_from: str, date_to: str) -> list[KeyQuery]:
    """#13: the ledger's sparse GSI_Sparse_TXN_Declined, one query per reason, merged by date."""
    first, last = parse_range(date_from, date_to)
    return [
        _query(
            GSI_DECLINED,
            "txn_declined_reason",
            reason,
            "txn_declined_reason = :pk AND txn_date BETWEEN :lo AND :hi",
            values={":lo": first, ":hi": last},
        )
        for reason in reasons
    ]
