"""The open-pending markers: how the sweeper finds expired pendings without a scan (issue 11
item 1).

An append that places a pending also writes, in the same transaction, one *marker* for it
(whatever the number of accounts it holds on) at the key of the pending's resolution claim,
``TXN#resolve#<pending>``, carrying its accounts, its expiry and the keys of the sparse index
``GSI_Sparse_Pending_Expiry`` (``PENDING#<shard>`` -> the expiry). The resolution (post, void,
expiry) claims that key with a put allowed to replace an open marker and nothing else, so the
claim that says "resolved at most once" is also the marker's delete: no extra item, and
"exactly one of concurrent post/void/expire wins" is the claim's condition, as before. The
sweeper queries each shard for ``expiry <= now``: its work is the open pendings that expired,
not the log.

A pending placed and resolved in one append (a linked batch) gets no marker: DynamoDB takes
one action per item in a transaction, and it would be gone at commit anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from acme_base.keys import (
    expiry_sort_key,
    pending_index_pk,
    pending_shard,
    resolution_claim,
    txn_pk,
)
from processor.domain.events import LedgerEvent, PendingPlaced
from processor.domain.outcomes import IdempotencyRecord

__all__ = [
    "MARKER_ENTITY",
    "OpenPending",
    "claimed_pending",
    "is_claim",
    "marker_item",
    "markers_of",
    "open_of",
]

#: the ``entity`` of a marker item (a resolution claim's put may replace only this)
MARKER_ENTITY = "pending_open"
_CLAIM_PREFIX = resolution_claim("")


@dataclass(frozen=True)
class OpenPending:
    """An open pending as its marker tells it: what the sweeper needs to expire it."""

    pending_txn_id: str
    accounts: tuple[str, ...]
    expires_at: datetime


def is_claim(txn_id: str) -> bool:
    """A resolution claim's txn id (``resolve#<pending>``)."""
    return txn_id.startswith(_CLAIM_PREFIX)


def claimed_pending(txn_id: str) -> str | None:
    """The pending a resolution claim's txn id names (None: not a claim)."""
    return txn_id[len(_CLAIM_PREFIX) :] if is_claim(txn_id) else None


def markers_of(
    events: Sequence[LedgerEvent], records: Sequence[IdempotencyRecord]
) -> list[OpenPending]:
    """The markers an append writes: one per pending it places and does not also resolve."""
    if not any(isinstance(event, PendingPlaced) for event in events):
        return []  # most appends place none (called several times per append)
    claimed = {r.txn_id for r in records if is_claim(r.txn_id)}
    found: dict[str, OpenPending] = {}
    for event in events:
        if not isinstance(event, PendingPlaced):
            continue
        if resolution_claim(event.pending_txn_id) in claimed:
            continue
        seen = found.get(event.pending_txn_id)
        accounts = (*(seen.accounts if seen else ()), event.account_id)
        found[event.pending_txn_id] = OpenPending(
            event.pending_txn_id, tuple(sorted(set(accounts))), event.expires_at
        )
    return list(found.values())


def marker_item(marker: OpenPending) -> dict[str, Any]:
    """The marker's plain item (its expiry is a string: the table's TTL, on ``expires_at``,
    must not delete a marker before the sweeper has expired its pending)."""
    key = txn_pk(resolution_claim(marker.pending_txn_id))
    return {
        "PK": key,
        "SK": key,
        "entity": MARKER_ENTITY,
        "pending_txn_id": marker.pending_txn_id,
        "accounts": list(marker.accounts),
        "pending_index_pk": pending_index_pk(pending_shard(marker.pending_txn_id)),
        "pending_expires": expiry_sort_key(marker.expires_at),
    }


def open_of(item: dict[str, Any]) -> OpenPending:
    """A marker item (plain) back to the open pending it marks."""
    expires = datetime.strptime(str(item["pending_expires"]), "%Y-%m-%dT%H:%M:%S.%f%z")
    return OpenPending(
        str(item["pending_txn_id"]), tuple(str(a) for a in item["accounts"]), expires
    )
