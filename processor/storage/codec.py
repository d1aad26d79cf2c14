"""Events <-> plain DynamoDB items (pure: boto3's serializer lives in ``acme_base.aws``).

The index attributes of an event item are derived here; the key formats in ``acme_base.keys``."""

from __future__ import annotations

from typing import Any

from acme_base.keys import (
    DAY_SHARDS,
    SEQ_WIDTH,
    account_pk,
    day_key,
    day_shard,
    is_event_key,
    padded_seq,
    seq_sk,
    txn_pk,
)
from processor.domain.events import LedgerEvent
from processor.storage.event_body import CorruptEventItem, event_body, event_of_body
from processor.storage.upcasting import CURRENT, upcast

__all__ = [
    "DAY_SHARDS",
    "SEQ_WIDTH",
    "CorruptEventItem",
    "account_pk",
    "day_shard",
    "seq_sk",
    "txn_pk",
]
KEY_ATTRIBUTES = frozenset(
    {
        "PK",
        "SK",
        "INV_PK",
        "INV_SK",
        "GSI1PK",
        "GSI1SK",
        "GSI2PK",
        "GSI2SK",
        "txn_declined_reason",
        "txn_date",
        "entity",
    }
)


def event_to_item(event: LedgerEvent) -> dict[str, Any]:
    """Plain-Python item (use ``serialize`` for the low-level client)."""
    # Optional fields added later (a credit's channel, the block flag) are stored only when
    # set, so items of events that do not use them look as they always did.
    item = event_body(event)
    if not item.get("blocked"):
        item.pop("blocked", None)
    pk = account_pk(event.account_id)
    seq = padded_seq(event.seq)
    txn_date = item["occurred_at"][:10]  # the UTC date of the effective time
    item["schema_version"] = CURRENT  # read back through processor.storage.upcasting
    item["PK"] = pk
    item["SK"] = seq_sk(event.seq)
    item["entity"] = "txn"
    item["txn_date"] = txn_date
    item["GSI1PK"] = pk
    item["GSI1SK"] = f"{txn_date}#{seq}"
    item["GSI2PK"] = day_key(txn_date, day_shard(event.account_id))
    item["GSI2SK"] = f"{pk}#{seq}"
    reason = item.get("reason")  # only declined events have one
    if reason is not None:
        item["txn_declined_reason"] = reason  # the sparse GSI key
    return item


def item_to_event(item: dict[str, Any]) -> LedgerEvent:
    """Plain-Python item (numbers may be Decimal) back to its event (``CorruptEventItem``, a
    ``ValueError``, for an item that is none; ``ValueError`` for an unknown schema version)."""
    body = {k: v for k, v in item.items() if k not in KEY_ATTRIBUTES}
    return event_of_body(upcast(body))


def is_event_item(item: dict[str, Any]) -> bool:
    """An event item (plain or attribute-value form) by its key alone."""
    pk, sk = item.get("PK"), item.get("SK")
    key_pk = pk.get("S") if isinstance(pk, dict) else pk
    key_sk = sk.get("S") if isinstance(sk, dict) else sk
    return is_event_key(key_pk, key_sk)
