"""Events <-> DynamoDB items. Keys and index attributes are derived here and nowhere else."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from processor.events import EVENT_ADAPTER, LedgerEvent

SEQ_WIDTH = 12
DAY_SHARDS = 8  # GSI2 write-sharding of the per-day index (seed: 750K txns a day)
_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()
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


def account_pk(account_id: str) -> str:
    return f"ACCT#{account_id}"


def seq_sk(seq: int) -> str:
    return f"TXN#{seq:0{SEQ_WIDTH}d}"


def txn_pk(txn_id: str) -> str:
    return f"TXN#{txn_id}"


def day_shard(account_id: str, shards: int = DAY_SHARDS) -> int:
    """A stable shard per account (not Python's salted hash)."""
    return sum(account_id.encode()) % shards


def event_to_item(event: LedgerEvent) -> dict[str, Any]:
    """Plain-Python item (use ``serialize`` for the low-level client)."""
    body = event.model_dump(mode="json")
    item: dict[str, Any] = {
        **body,
        "PK": account_pk(event.account_id),
        "SK": seq_sk(event.seq),
        "entity": "txn",
        "txn_date": event.txn_date,
        "GSI1PK": account_pk(event.account_id),
        "GSI1SK": f"{event.txn_date}#{event.seq:0{SEQ_WIDTH}d}",
        "GSI2PK": f"DAY#{event.txn_date}#{day_shard(event.account_id)}",
        "GSI2SK": f"{account_pk(event.account_id)}#{event.seq:0{SEQ_WIDTH}d}",
    }
    if event.decline_reason is not None:
        item["txn_declined_reason"] = event.decline_reason  # the sparse GSI key
    return item


def item_to_event(item: dict[str, Any]) -> LedgerEvent:
    """Plain-Python item (numbers may be Decimal) back to its event."""
    body = {k: _plain(v) for k, v in item.items() if k not in KEY_ATTRIBUTES}
    return EVENT_ADAPTER.validate_python(body)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value)
    return value


def serialize(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _SERIALIZER.serialize(v) for k, v in item.items()}


def deserialize(image: dict[str, Any]) -> dict[str, Any]:
    return {k: _DESERIALIZER.deserialize(v) for k, v in image.items()}


def is_event_item(item: dict[str, Any]) -> bool:
    pk, sk = item.get("PK"), item.get("SK")
    key_pk = pk.get("S") if isinstance(pk, dict) else pk
    key_sk = sk.get("S") if isinstance(sk, dict) else sk
    return str(key_pk).startswith("ACCT#") and str(key_sk).startswith("TXN#")
