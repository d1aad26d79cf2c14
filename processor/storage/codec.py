"""Events <-> plain DynamoDB items (pure: boto3's serializer lives in ``acme_base.aws``).

The index attributes of an event item are derived here; the key formats in ``acme_base.keys``."""

from __future__ import annotations

from decimal import Decimal
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
from processor.domain.events import EVENT_ADAPTER, LedgerEvent
from processor.storage.upcasting import CURRENT, upcast

__all__ = ["DAY_SHARDS", "SEQ_WIDTH", "account_pk", "day_shard", "seq_sk", "txn_pk"]
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
    body = event.model_dump(mode="json", exclude_none=True)
    if not body.get("blocked"):
        body.pop("blocked", None)
    item: dict[str, Any] = {
        **body,
        "schema_version": CURRENT,  # read back through processor.storage.upcasting
        "PK": account_pk(event.account_id),
        "SK": seq_sk(event.seq),
        "entity": "txn",
        "txn_date": event.txn_date,
        "GSI1PK": account_pk(event.account_id),
        "GSI1SK": f"{event.txn_date}#{padded_seq(event.seq)}",
        "GSI2PK": day_key(event.txn_date, day_shard(event.account_id)),
        "GSI2SK": f"{account_pk(event.account_id)}#{padded_seq(event.seq)}",
    }
    if event.decline_reason is not None:
        item["txn_declined_reason"] = event.decline_reason  # the sparse GSI key
    return item


def item_to_event(item: dict[str, Any]) -> LedgerEvent:
    """Plain-Python item (numbers may be Decimal) back to its event."""
    body = {k: _plain(v) for k, v in item.items() if k not in KEY_ATTRIBUTES}
    return EVENT_ADAPTER.validate_python(upcast(body))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):  # a map attribute: an event's limits
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):  # a list attribute: an event's open pendings
        return [_plain(v) for v in value]
    return value


def is_event_item(item: dict[str, Any]) -> bool:
    """An event item (plain or attribute-value form) by its key alone."""
    pk, sk = item.get("PK"), item.get("SK")
    key_pk = pk.get("S") if isinstance(pk, dict) else pk
    key_sk = sk.get("S") if isinstance(sk, dict) else sk
    return is_event_key(key_pk, key_sk)
