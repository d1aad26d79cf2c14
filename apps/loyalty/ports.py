"""The loyalty view store port: member views, tier changes, the by-order and by-tier indexes.

Two implementations honour it, held to the same behaviour by one contract suite
(``tests/contract/test_loyalty_store_contract.py``): ``apps.loyalty.views.DynamoLoyaltyStore``
on the views table and the in-memory twin ``apps.loyalty.memory.MemoryLoyaltyStore``.

``save`` is conditional: it writes the member view only if the stored one is still at
``expected_seq`` (None: no view yet), so two projectors folding the same member never move it
backwards; the index entries it writes with it are keyed by what they describe, so writing
them twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any, Protocol

from acme_base.errors import InvalidInput
from apps.loyalty.model import MemberView, OrderEntry, TierChanged
from apps.loyalty.rules import TIERS
from processor.storage.paging import Page, Partition

TIER_QUERY = "loyalty-by-tier"


def tier_partition(tier: str) -> Partition:
    """The tier index's partition of ``tier`` (``InvalidInput`` for an unknown tier)."""
    if tier not in TIERS:
        raise InvalidInput(f"unknown tier {tier!r}: one of {', '.join(TIERS)}")
    return Partition("loyalty_tier", tier, ("PK", "SK", "loyalty_tier"))


def tier_row(view: MemberView) -> dict[str, Any]:
    """A member as the tier index lists it (the seed's ``userId``, ``points``)."""
    return {"user_id": view.user_id, "points": view.points, "tier": view.tier}


def member_row(view: MemberView) -> dict[str, Any]:
    """A member as the reads print it (its fields, in order)."""
    return asdict(view)


class LoyaltyStore(Protocol):
    def member(self, user_id: str) -> MemberView | None:
        """The member's view (one strongly consistent GetItem), or None."""
        ...

    def save(
        self,
        view: MemberView,
        expected_seq: int | None,
        tier_changes: Sequence[TierChanged] = (),
        orders: Sequence[OrderEntry] = (),
    ) -> bool:
        """Write the index entries, then the view if the stored one is at ``expected_seq``;
        False (view untouched) when another writer moved it."""
        ...

    def members_by_tier(self, tier: str, limit: int = 100, token: str | None = None) -> Page:
        """Members in a tier (rows: ``user_id``, ``points``, ``tier``), by user id."""
        ...

    def orders(self, order_id: str) -> list[OrderEntry]:
        """The EARNs of an order, by txn id."""
        ...

    def tier_changes(self, user_id: str) -> list[TierChanged]:
        """A member's tier changes, oldest first."""
        ...
