"""The DynamoDB offer store: offers and customer-offer relationships on the ledger table.

Every write is conditional: the offer item ``attribute_not_exists(PK)`` (a taken id comes
back with the stored offer, ``ReturnValuesOnConditionCheckFailure``), the relationship the same
way (a second send never resets a response), a response ``#status = PENDING AND expires_on >=
today``. Reads of pages are Queries with ``expires_at > now`` as a filter: DynamoDB deletes TTL'd
items only eventually, so reads hide them at once. Item layout: ``processor.offers.items``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from acme_base.aws import call, deserialize, paginate_items, serialize
from acme_base.errors import ConditionFailed
from acme_base.keys import customer_offer_key, customer_pk, offer_key, offer_pk
from acme_base.tables import GSI_INVERTED, TTL_ATTRIBUTE
from processor.offers.items import (
    offer_item,
    offer_of,
    relationship_item,
    relationship_of,
)
from processor.offers.model import PENDING, CustomerOffer, Offer, Response
from processor.offers.ports import (
    NotPending,
    OfferPage,
    OfferTaken,
    customer_partition,
    customers_query_id,
    offer_partition,
    offers_query_id,
)
from processor.storage import query_specs as specs
from processor.storage.paging import Partition, decode_token, encode_token, plain_key

NOT_EXISTS = "attribute_not_exists(PK)"
BATCH_GET = 100  # BatchGetItem takes at most 100 keys


@dataclass
class DynamoOfferStore:
    client: Any
    table: str

    # --- offers ---------------------------------------------------------------------------

    def create(self, offer: Offer) -> None:
        try:
            self._put(offer_item(offer), "create offer")
        except ConditionFailed as exc:
            existing = offer_of(exc.item) if exc.item else self.offer(offer.offer_id)
            if existing is None:  # pragma: no cover - a condition failed on a missing item
                raise
            raise OfferTaken(existing) from exc

    def offer(self, offer_id: str) -> Offer | None:
        item = self._get(offer_key(offer_id), "read offer")
        return offer_of(item) if item else None

    # --- relationships --------------------------------------------------------------------

    def send(self, relationship: CustomerOffer) -> bool:
        try:
            self._put(relationship_item(relationship), "send offer")
        except ConditionFailed:
            return False
        return True

    def respond(
        self, customer_id: str, offer_id: str, response: Response, at: str, today: date
    ) -> CustomerOffer:
        condition, values = self._answerable(today)
        try:
            resp = call(
                "respond to offer",
                self.client.update_item,
                TableName=self.table,
                Key=serialize(customer_offer_key(customer_id, offer_id)),
                UpdateExpression="SET #st = :r, responded_at = :at",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#st": "status"},
                ExpressionAttributeValues=serialize({":r": response, ":at": at, **values}),
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ConditionFailed as exc:
            raise NotPending(relationship_of(exc.item) if exc.item else None) from exc
        return relationship_of(deserialize(resp["Attributes"]))

    @staticmethod
    def _answerable(today: date) -> tuple[str, dict[str, Any]]:
        """A response's condition: still PENDING, and not after the offer's last day (the
        mutation tests patch this)."""
        return "#st = :pending AND expires_on >= :today", {
            ":pending": PENDING,
            ":today": today.isoformat(),
        }

    def relationship(self, customer_id: str, offer_id: str) -> CustomerOffer | None:
        item = self._get(customer_offer_key(customer_id, offer_id), "read customer offer")
        return relationship_of(item) if item else None

    def offers_of(
        self,
        customer_id: str,
        now: int,
        limit: int,
        token: str | None = None,
        offer_id: str | None = None,
    ) -> OfferPage:
        if offer_id is None:
            condition, sk = "PK = :pk AND begins_with(SK, :sk)", offer_pk("")
        else:
            condition, sk = "PK = :pk AND SK = :sk", offer_pk(offer_id)
        return self._page(
            partition=customer_partition(customer_id),
            query_id=offers_query_id(customer_id, offer_id),
            key={"KeyConditionExpression": condition},
            values={":sk": sk},
            now=now,
            limit=limit,
            token=token,
        )

    def customers_of(
        self, offer_id: str, now: int, limit: int, token: str | None = None
    ) -> OfferPage:
        return self._page(
            partition=offer_partition(offer_id),
            query_id=customers_query_id(offer_id),
            key={
                "IndexName": GSI_INVERTED,
                "KeyConditionExpression": "INV_PK = :pk AND begins_with(INV_SK, :sk)",
            },
            values={":sk": customer_pk("")},
            now=now,
            limit=limit,
            token=token,
        )

    # --- customers ------------------------------------------------------------------------

    def missing_customers(self, customer_ids: Sequence[str]) -> list[str]:
        found: set[str] = set()
        unique = list(dict.fromkeys(customer_ids))
        for start in range(0, len(unique), BATCH_GET):
            keys = [specs.customer_key(c) for c in unique[start : start + BATCH_GET]]
            found |= {str(item["PK"]) for item in self._batch_get(keys)}
        return [c for c in customer_ids if customer_pk(c) not in found]

    def customers_with_status(self, status: str) -> Iterator[str]:
        params = specs.special_customers(status).params()
        params["ExpressionAttributeValues"] = serialize(params["ExpressionAttributeValues"])
        items = paginate_items(
            self.client, "query", "read special-status customers", TableName=self.table, **params
        )
        for item in items:
            yield str(deserialize(item)["PK"]).removeprefix(customer_pk(""))

    def customer_of_account(self, account_id: str) -> str | None:
        params = specs.account_by_number(account_id).params()
        params["ExpressionAttributeValues"] = serialize(params["ExpressionAttributeValues"])
        resp = call("read account", self.client.query, TableName=self.table, Limit=1, **params)
        items = [deserialize(i) for i in resp.get("Items", [])]
        return str(items[0]["INV_SK"]).removeprefix(customer_pk("")) if items else None

    # --- plumbing -------------------------------------------------------------------------

    def _put(self, item: dict[str, Any], what: str) -> None:
        """A conditional put: the key must be free (mutation tests patch this)."""
        call(
            what,
            self.client.put_item,
            TableName=self.table,
            Item=serialize(item),
            ConditionExpression=NOT_EXISTS,
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )

    def _get(self, key: dict[str, str], what: str) -> dict[str, Any] | None:
        resp = call(
            what,
            self.client.get_item,
            TableName=self.table,
            Key=serialize(key),
            ConsistentRead=True,
        )
        item = resp.get("Item")
        return deserialize(item) if item else None

    def _batch_get(self, keys: list[dict[str, str]]) -> Iterator[dict[str, Any]]:
        pending: dict[str, Any] = {
            self.table: {"Keys": [serialize(k) for k in keys], "ConsistentRead": True}
        }
        while pending:
            resp = call("read customers", self.client.batch_get_item, RequestItems=pending)
            for item in resp.get("Responses", {}).get(self.table, []):
                yield deserialize(item)
            pending = resp.get("UnprocessedKeys") or {}

    def _page(
        self,
        *,
        partition: Partition,
        query_id: str,
        key: dict[str, str],
        values: dict[str, Any],
        now: int,
        limit: int,
        token: str | None,
    ) -> OfferPage:
        """One Query: ``limit`` items of the partition, those past their TTL filtered out."""
        start = decode_token(token, query_id, [partition])[0] if token else None
        params: dict[str, Any] = {
            **key,
            "TableName": self.table,
            "Limit": limit,
            "FilterExpression": "#ttl > :now",
            "ExpressionAttributeNames": {"#ttl": TTL_ATTRIBUTE},
            "ExpressionAttributeValues": serialize({":pk": partition.value, ":now": now, **values}),
        }
        if isinstance(start, dict):
            params["ExclusiveStartKey"] = serialize(start)
        resp = call(f"query {params.get('IndexName', 'table')}", self.client.query, **params)
        last = (
            plain_key(deserialize(resp["LastEvaluatedKey"]))
            if resp.get("LastEvaluatedKey")
            else None
        )
        items = [relationship_of(deserialize(i)) for i in resp.get("Items", [])]
        return OfferPage(items, encode_token(query_id, [last]) if last else None)
