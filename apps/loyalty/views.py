"""``DynamoLoyaltyStore``: the loyalty views on the views table (see ``apps.loyalty.ports``).

Items: the member (``LOYALTY#<user>`` / ``MEMBER``, with ``loyalty_tier`` for the sparse tier
index), its tier changes beside it (``TIER#<seq>``) and the by-order entries
(``LOYALTY_ORDER#<order>`` / ``<txn id>``). Index entries are plain puts of immutable facts
keyed by what they describe; the member write is conditional on the seq it was folded from
(with its few new index items, one transaction: one call per EARN's fold).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from acme_base.aws import call, deserialize, paginate_items, serialize, transact_write
from acme_base.errors import ConditionFailed, TransactionCancelled
from acme_base.keys import (
    LOYALTY_PREFIX,
    LOYALTY_TIER_PREFIX,
    loyalty_member_key,
    loyalty_order_key,
    loyalty_tier_change_key,
)
from acme_base.tables import GSI_LOYALTY_TIER
from apps.loyalty.model import MemberView, OrderEntry, TierChanged
from apps.loyalty.ports import TIER_QUERY, member_row, tier_partition
from processor.storage.paging import Page, check_limit, decode_token, encode_token, plain_key

#: a save with fewer index items than this is one transaction (DynamoDB allows 100 actions)
SAVE_IN_ONE = 25


@dataclass
class DynamoLoyaltyStore:
    client: Any
    table: str

    def member(self, user_id: str) -> MemberView | None:
        got = call(
            f"read loyalty member {user_id}",
            self.client.get_item,
            TableName=self.table,
            Key=serialize(loyalty_member_key(user_id)),
            ConsistentRead=True,
        )
        if "Item" not in got:
            return None
        item = deserialize(got["Item"])
        return MemberView(
            user_id=str(item["user_id"]),
            points=int(item["points"]),
            lifetime_earned=int(item["lifetime_earned"]),
            tier=str(item["tier"]),
            seq=int(item["seq"]),
            updated_at=str(item["updated_at"]),
        )

    def save(
        self,
        view: MemberView,
        expected_seq: int | None,
        tier_changes: Sequence[TierChanged] = (),
        orders: Sequence[OrderEntry] = (),
    ) -> bool:
        extras = [{**loyalty_tier_change_key(c.user_id, c.seq), **asdict(c)} for c in tier_changes]
        extras += [{**loyalty_order_key(o.order_id, o.txn_id), **asdict(o)} for o in orders]
        item = {**loyalty_member_key(view.user_id), **member_row(view), "loyalty_tier": view.tier}
        if expected_seq is None:
            condition, values = "attribute_not_exists(PK)", {}
        else:
            condition, values = "seq = :seq", {":seq": expected_seq}
        if extras and len(extras) < SAVE_IN_ONE:  # the steady state: one atomic write
            return self._save_together(item, condition, values, extras)
        for extra in extras:  # a long fold: the immutable index items first, then the member
            self._put(extra)
        try:
            self._put(item, condition, values)
        except ConditionFailed:
            return False
        return True

    def _save_together(
        self,
        item: dict[str, Any],
        condition: str,
        values: dict[str, Any],
        extras: list[dict[str, Any]],
    ) -> bool:
        """The member and its new index items in one ``TransactWriteItems`` (one call where
        a put each took several; a lost condition writes none of them)."""
        member: dict[str, Any] = {
            "TableName": self.table,
            "Item": serialize(item),
            "ConditionExpression": condition,
        }
        if values:
            member["ExpressionAttributeValues"] = serialize(values)
        actions = [{"Put": member}]
        actions += [{"Put": {"TableName": self.table, "Item": serialize(e)}} for e in extras]
        try:
            transact_write(self.client, actions, f"save loyalty member {item['PK']}")
        except TransactionCancelled:
            return False
        return True

    def members_by_tier(self, tier: str, limit: int = 100, token: str | None = None) -> Page:
        check_limit(limit)
        partition = tier_partition(tier)
        kwargs: dict[str, Any] = {}
        if token:
            start = decode_token(token, TIER_QUERY, [partition])[0]
            kwargs["ExclusiveStartKey"] = serialize(dict(start))  # type: ignore[arg-type]
        got = call(
            f"read loyalty tier {tier}",
            self.client.query,
            TableName=self.table,
            IndexName=GSI_LOYALTY_TIER,
            KeyConditionExpression="loyalty_tier = :t",
            ExpressionAttributeValues=serialize({":t": tier}),
            Limit=limit,
            **kwargs,
        )
        items = [deserialize(i) for i in got.get("Items", [])]
        rows = [
            {"user_id": i["user_id"], "points": int(i["points"]), "tier": i["tier"]} for i in items
        ]
        last = plain_key(
            deserialize(got["LastEvaluatedKey"]) if "LastEvaluatedKey" in got else None
        )
        return Page(rows, encode_token(TIER_QUERY, [last]) if last else None)

    def orders(self, order_id: str) -> list[OrderEntry]:
        pk = loyalty_order_key(order_id, "")["PK"]
        items = self._query(pk, None)
        return [
            OrderEntry(i["order_id"], i["txn_id"], i["user_id"], int(i["points"]), i["at"])
            for i in items
        ]

    def tier_changes(self, user_id: str) -> list[TierChanged]:
        items = self._query(f"{LOYALTY_PREFIX}{user_id}", LOYALTY_TIER_PREFIX)
        return [
            TierChanged(i["user_id"], int(i["seq"]), i["from_tier"], i["to_tier"], i["at"])
            for i in items
        ]

    def _query(self, pk: str, sk_prefix: str | None) -> list[dict[str, Any]]:
        cond, values = "PK = :pk", {":pk": pk}
        if sk_prefix is not None:
            cond, values = cond + " AND begins_with(SK, :sk)", {**values, ":sk": sk_prefix}
        raw = paginate_items(
            self.client,
            "query",
            f"read loyalty items {pk}",
            TableName=self.table,
            KeyConditionExpression=cond,
            ExpressionAttributeValues=serialize(values),
            ConsistentRead=True,
        )
        return [deserialize(i) for i in raw]

    def _put(
        self, item: dict[str, Any], condition: str = "", values: dict[str, Any] | None = None
    ) -> None:
        kwargs: dict[str, Any] = {"TableName": self.table, "Item": serialize(item)}
        if condition:
            kwargs["ConditionExpression"] = condition
        if values:
            kwargs["ExpressionAttributeValues"] = serialize(values)
        call(f"write loyalty item {item['PK']}", self.client.put_item, **kwargs)
