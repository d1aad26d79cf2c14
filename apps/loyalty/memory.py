"""The in-memory twin of ``DynamoLoyaltyStore`` (same contract; tests and ``--memory``)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from acme_base.keys import loyalty_member_key
from apps.loyalty.model import MemberView, OrderEntry, TierChanged
from apps.loyalty.ports import TIER_QUERY, tier_partition, tier_row
from processor.storage.paging import Page, check_limit, decode_token, encode_token


@dataclass
class MemoryLoyaltyStore:
    _members: dict[str, MemberView] = field(default_factory=dict)
    _changes: dict[tuple[str, int], TierChanged] = field(default_factory=dict)
    _orders: dict[tuple[str, str], OrderEntry] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def member(self, user_id: str) -> MemberView | None:
        return self._members.get(user_id)

    def save(
        self,
        view: MemberView,
        expected_seq: int | None,
        tier_changes: Sequence[TierChanged] = (),
        orders: Sequence[OrderEntry] = (),
    ) -> bool:
        with self._lock:
            for change in tier_changes:
                self._changes[(change.user_id, change.seq)] = change
            for order in orders:
                self._orders[(order.order_id, order.txn_id)] = order
            current = self._members.get(view.user_id)
            if (None if current is None else current.seq) != expected_seq:
                return False
            self._members[view.user_id] = view
            return True

    def members_by_tier(self, tier: str, limit: int = 100, token: str | None = None) -> Page:
        check_limit(limit)
        partition = tier_partition(tier)
        cursor = decode_token(token, TIER_QUERY, [partition])[0] if token else None
        after = cursor["PK"] if isinstance(cursor, dict) else ""
        rows = sorted(
            (loyalty_member_key(v.user_id)["PK"], v)
            for v in self._members.values()
            if v.tier == tier and loyalty_member_key(v.user_id)["PK"] > after
        )
        page = rows[:limit]
        items = [tier_row(v) for _, v in page]
        if len(rows) <= limit:
            return Page(items)
        last = {**loyalty_member_key(page[-1][1].user_id), "loyalty_tier": tier}
        return Page(items, encode_token(TIER_QUERY, [last]))

    def orders(self, order_id: str) -> list[OrderEntry]:
        return [o for (oid, _), o in sorted(self._orders.items()) if oid == order_id]

    def tier_changes(self, user_id: str) -> list[TierChanged]:
        return [c for (uid, _), c in sorted(self._changes.items()) if uid == user_id]
