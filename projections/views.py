"""The views table adapter: item layout, reads, scans, queries, bulk puts and deletes.

Item layout (``<prefix>-views``, PK/SK strings; ``entity`` names the read model):

- balance:  ``PK=ACCT#<account>``, ``SK=BALANCE``; ``balance`` (minor units), ``applied_seq``,
  ``currency``, ``account_id``.
- daily:    ``PK=DAY#<date>#<shard>``, ``SK=TOTALS``; ``report_date`` and the six counters of
  ``DailyTotals`` (ADDed). A day's totals are the sum of its shards.
- declined: ``PK=DECL#<account>``, ``SK=TXN#<seq>``; ``txn_declined_reason`` + ``txn_date``
  (the sparse GSI ``GSI_Sparse_TXN_Declined`` keys) and the event's fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from acme_base.aws import call, deserialize, paginate_items, serialize
from acme_base.keys import DAY_SHARDS, balance_key, daily_key, declined_key
from acme_base.tables import GSI_DECLINED
from projections.model import (
    DAILY_FIELDS,
    BalanceView,
    DailyTotals,
    DeclinedEntry,
    EventKey,
    Snapshot,
    sum_shards,
)

BALANCE, DAILY, DECLINED = "balance", "daily", "declined"
ENTITIES = (BALANCE, DAILY, DECLINED)


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def balance_item(view: BalanceView) -> dict[str, Any]:
    return {
        **balance_key(view.account_id),
        "entity": BALANCE,
        "account_id": view.account_id,
        "balance": view.balance,
        "applied_seq": view.applied_seq,
        "currency": view.currency,
        "updated_at": now_iso(),
    }


def daily_item(date: str, shard: int, totals: DailyTotals) -> dict[str, Any]:
    return {
        **daily_key(date, shard),
        "entity": DAILY,
        "report_date": date,
        "shard": shard,
        **totals.as_dict(),
    }


def declined_item(entry: DeclinedEntry) -> dict[str, Any]:
    item = {
        **declined_key(entry.account_id, entry.seq),
        "entity": DECLINED,
        **entry.as_dict(),
        "txn_declined_reason": entry.reason,
    }
    del item["reason"]
    return item


def _int(value: Any) -> int:
    return int(value) if isinstance(value, Decimal | int) else int(str(value))


def balance_of(item: dict[str, Any]) -> BalanceView:
    return BalanceView(
        str(item["account_id"]),
        _int(item["balance"]),
        _int(item["applied_seq"]),
        str(item.get("currency", "")),
    )


def totals_of(item: dict[str, Any]) -> DailyTotals:
    return DailyTotals(**{f: _int(item.get(f, 0)) for f in DAILY_FIELDS})


def declined_of(item: dict[str, Any]) -> DeclinedEntry:
    return DeclinedEntry(
        account_id=str(item["account_id"]),
        seq=_int(item["seq"]),
        txn_id=str(item["txn_id"]),
        reason=str(item["txn_declined_reason"]),
        amount=_int(item["amount"]),
        txn_date=str(item["txn_date"]),
        occurred_at=str(item["occurred_at"]),
        kind=str(item["kind"]),
        currency=str(item["currency"]),
    )


@dataclass
class ViewStore:
    client: Any
    table: str

    # --- reads ----------------------------------------------------------------------------

    def balance(self, account_id: str) -> BalanceView | None:
        resp = call(
            "read balance",
            self.client.get_item,
            TableName=self.table,
            Key=serialize(balance_key(account_id)),
            ConsistentRead=True,
        )
        item = resp.get("Item")
        return balance_of(deserialize(item)) if item else None

    def scan(self, entity: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item (of one read model), deserialized."""
        kwargs: dict[str, Any] = {"TableName": self.table, "ConsistentRead": True}
        if entity is not None:
            kwargs.update(
                FilterExpression="entity = :e", ExpressionAttributeValues={":e": {"S": entity}}
            )
        for item in paginate_items(self.client, "scan", f"scan {self.table}", **kwargs):
            yield deserialize(item)

    def snapshot(self) -> Snapshot:
        """All three read models as stored (daily shards summed per date)."""
        balances: dict[str, BalanceView] = {}
        sharded: dict[tuple[str, int], DailyTotals] = {}
        declined: dict[EventKey, DeclinedEntry] = {}
        for item in self.scan():
            entity = item.get("entity")
            if entity == BALANCE:
                view = balance_of(item)
                balances[view.account_id] = view
            elif entity == DAILY:
                sharded[(str(item["report_date"]), _int(item["shard"]))] = totals_of(item)
            elif entity == DECLINED:
                entry = declined_of(item)
                declined[(entry.account_id, entry.seq)] = entry
        return Snapshot(balances, sum_shards(sharded), declined)

    def daily(self, dates: Sequence[str]) -> dict[str, DailyTotals]:
        """Totals of each date (every shard read and summed); dates without items are zero."""
        keys = [daily_key(d, s) for d in dates for s in range(DAY_SHARDS)]
        totals = {d: DailyTotals() for d in dates}
        for item in self._batch_get(keys):
            date = str(item["report_date"])
            totals[date] = totals[date] + totals_of(item)
        return totals

    def _batch_get(self, keys: Sequence[dict[str, str]]) -> Iterator[dict[str, Any]]:
        for start in range(0, len(keys), 100):
            pending: dict[str, Any] = {
                self.table: {
                    "Keys": [serialize(k) for k in keys[start : start + 100]],
                    "ConsistentRead": True,
                }
            }
            while pending:
                resp = call("read daily totals", self.client.batch_get_item, RequestItems=pending)
                for item in resp.get("Responses", {}).get(self.table, []):
                    yield deserialize(item)
                pending = resp.get("UnprocessedKeys") or {}

    def declined(self, reason: str, date_from: str, date_to: str) -> Iterator[DeclinedEntry]:
        """One query of the sparse GSI: one reason, a txn_date range (seed iteration 6)."""
        items = paginate_items(
            self.client,
            "query",
            "query the declined index",
            TableName=self.table,
            IndexName=GSI_DECLINED,
            KeyConditionExpression="txn_declined_reason = :r AND txn_date BETWEEN :a AND :b",
            ExpressionAttributeValues={
                ":r": {"S": reason},
                ":a": {"S": date_from},
                ":b": {"S": date_to},
            },
        )
        for item in items:
            yield declined_of(deserialize(item))

    # --- bulk writes (rebuild) ------------------------------------------------------------

    def put_all(self, items: Iterable[dict[str, Any]]) -> int:
        return self._batch_write({"PutRequest": {"Item": serialize(i)}} for i in items)

    def delete_all(self, keys: Iterable[dict[str, str]]) -> int:
        return self._batch_write({"DeleteRequest": {"Key": serialize(k)}} for k in keys)

    def _batch_write(self, requests: Iterable[dict[str, Any]]) -> int:
        batch: list[dict[str, Any]] = []
        count = 0
        for request in requests:
            batch.append(request)
            if len(batch) == 25:
                count += self._flush(batch)
                batch = []
        return count + (self._flush(batch) if batch else 0)

    def _flush(self, batch: list[dict[str, Any]]) -> int:
        pending: dict[str, Any] = {self.table: batch}
        while pending:
            resp = call("batch write views", self.client.batch_write_item, RequestItems=pending)
            pending = resp.get("UnprocessedItems") or {}
        return len(batch)
