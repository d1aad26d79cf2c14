"""Reading an account's events from any table keyed like the ledger (the ledger, the archive)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from acme_base.aws import deserialize, paginate_items, serialize
from acme_base.keys import TXN_SK_UPPER, account_pk, seq_sk
from processor.domain.events import LedgerEvent
from processor.storage.codec import item_to_event


def read_event_range(
    client: Any, table: str, account_id: str, from_seq: int = 0, to_seq: int | None = None
) -> Iterator[LedgerEvent]:
    """An account's events in seq order (a seq range, inclusive) from any table keyed like
    the ledger (the ledger itself, the archive): a strongly consistent, paginated Query."""
    upper = seq_sk(to_seq) if to_seq is not None else TXN_SK_UPPER
    items = paginate_items(
        client,
        "query",
        f"read events of {account_id} from {table}",
        TableName=table,
        ConsistentRead=True,
        KeyConditionExpression="PK = :pk AND SK BETWEEN :lo AND :hi",
        ExpressionAttributeValues=serialize(
            {":pk": account_pk(account_id), ":lo": seq_sk(from_seq), ":hi": upper}
        ),
    )
    for item in items:
        yield item_to_event(deserialize(item))
