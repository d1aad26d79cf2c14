"""The DynamoDB view store: ``projections.ports.ViewStore`` on the views table.

The item layout is ``projections.items``'. This adapter only reads, writes, and turns a
cancelled guarded transaction into ``GuardMoved`` / ``GuardConflict`` (the rules are in
``projections.ports`` and the projector). ``apply`` is one ``TransactWriteItems``: the balance
item's update conditioned on the guard (asking ``ALL_OLD`` on failure, so the cancellation
reason carries the stored ``applied_seq``), the daily totals' ADDs and the declined puts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from acme_base.aws import call, deserialize, paginate_items, serialize, transact_write
from acme_base.errors import TransactionCancelled
from acme_base.keys import DAY_SHARDS, TOTALS_SK, balance_key, day_key
from acme_base.tables import GSI_DECLINED
from processor.domain.currency import DEFAULT_CURRENCY
from projections.items import (
    BALANCE,
    DAILY,
    balance_of,
    currency_of,
    daily_totals_key,
    declined_item,
    declined_of,
    now_iso,
    snapshot_of,
    totals_of,
)
from projections.model import DAILY_FIELDS, BalanceView, DailyTotals, DeclinedEntry, Snapshot
from projections.plan import Chunk
from projections.ports import GuardConflict, GuardMoved, balance_after

_DAILY_ADD = ", ".join(f"#{f} :{f}" for f in DAILY_FIELDS)
_DAILY_NAMES = {f"#{f}": f for f in (*DAILY_FIELDS, "entity", "report_date", "shard", "currency")}
#: parallel Queries of ``daily_by_currency`` (one per date and shard)
_DAILY_READERS = DAY_SHARDS
_BALANCE_SET = (
    "SET #balance = :b, #applied_seq = :s, #currency = :c, #account_id = :a, "
    "#entity = :e, #updated_at = :t, #pending_debits = :pd, #pending_credits = :pc"
)
_BALANCE_NAMES = {
    f"#{f}": f for f in ("balance", "applied_seq", "currency", "account_id", "entity", "updated_at")
} | {"#pending_debits": "pending_debits", "#pending_credits": "pending_credits"}


def _guard_error(exc: TransactionCancelled) -> Exception | None:
    """The typed error of a cancelled ``apply`` (None: neither guard nor conflict)."""
    first = exc.reasons[0] if exc.reasons else None
    if first is not None and first.code == "ConditionalCheckFailed":
        seq = first.item.get("applied_seq") if first.item else None
        return GuardMoved(int(seq) if seq is not None else None)
    if exc.conflict:
        return GuardConflict(str(exc))
    return None


@dataclass
class DynamoViewStore:
    """``projections.ports.ViewStore`` on the views table ``table``."""

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
        return snapshot_of(self.scan())

    def daily(
        self, dates: Sequence[str], currency: str = DEFAULT_CURRENCY
    ) -> dict[str, DailyTotals]:
        keys = [daily_totals_key(d, s, currency) for d in dates for s in range(DAY_SHARDS)]
        totals = {d: DailyTotals() for d in dates}
        for item in self._batch_get(keys):
            date = str(item["report_date"])
            totals[date] = totals[date] + totals_of(item)
        return totals

    def daily_by_currency(self, dates: Sequence[str]) -> dict[str, dict[str, DailyTotals]]:
        """One Query per (date, shard) partition, ``_DAILY_READERS`` at a time: the totals of
        every currency of a shard share its partition (``projections.items``)."""
        out: dict[str, dict[str, DailyTotals]] = {d: {} for d in dates}
        parts = [(d, s) for d in dates for s in range(DAY_SHARDS)]
        if not parts:
            return out
        with ThreadPoolExecutor(max_workers=min(_DAILY_READERS, len(parts))) as pool:
            for (date, _shard), items in zip(
                parts, pool.map(self._shard_totals, parts), strict=True
            ):
                for item in items:
                    code = currency_of(item)
                    out[date][code] = out[date].get(code, DailyTotals()) + totals_of(item)
        return out

    def _shard_totals(self, part: tuple[str, int]) -> list[dict[str, Any]]:
        items = paginate_items(
            self.client,
            "query",
            "read daily totals",
            TableName=self.table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :t)",
            ExpressionAttributeValues={
                ":pk": {"S": day_key(*part)},
                ":t": {"S": TOTALS_SK},
            },
            ConsistentRead=True,
        )
        return [deserialize(i) for i in items]

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

    # --- the projector's guarded write ----------------------------------------------------

    def apply(self, chunk: Chunk) -> float:
        """One transaction (see the module docstring); the consumed write units."""
        what = f"project {chunk.account_id}"
        try:
            return transact_write(self.client, self._actions(chunk), what, capacity=True)
        except TransactionCancelled as exc:
            typed = _guard_error(exc)
            if typed is None:
                raise
            raise typed from exc

    def _actions(self, chunk: Chunk) -> list[dict[str, Any]]:
        """The balance update (guarded) first, then the daily ADDs, then the declined puts."""
        return [
            self._balance_action(chunk),
            *(self._daily_action(d, s, t, c) for (d, c, s), t in sorted(chunk.daily.items())),
            *(
                {"Put": {"TableName": self.table, "Item": serialize(declined_item(entry))}}
                for entry in chunk.declined
            ),
        ]

    def _balance_action(self, chunk: Chunk) -> dict[str, Any]:
        view = balance_after(chunk)
        values: dict[str, Any] = {
            ":b": view.balance,
            ":s": view.applied_seq,
            ":c": view.currency,
            ":a": view.account_id,
            ":e": BALANCE,
            ":t": now_iso(),
            ":pd": view.pending_debits,
            ":pc": view.pending_credits,
        }
        if chunk.after_seq < 0:
            condition = "attribute_not_exists(PK)"
        else:
            condition = "#applied_seq = :prev"
            values[":prev"] = chunk.after_seq
        return {
            "Update": {
                "TableName": self.table,
                "Key": serialize(balance_key(chunk.account_id)),
                "UpdateExpression": _BALANCE_SET,
                "ConditionExpression": condition,
                "ExpressionAttributeNames": _BALANCE_NAMES,
                "ExpressionAttributeValues": serialize(values),
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }

    def _daily_action(
        self, date: str, shard: int, totals: DailyTotals, currency: str
    ) -> dict[str, Any]:
        adds = {f":{f}": v for f, v in totals.as_dict().items()}
        return {
            "Update": {
                "TableName": self.table,
                "Key": serialize(daily_totals_key(date, shard, currency)),
                "UpdateExpression": "SET #entity = :e, #report_date = :d, #shard = :h, "
                f"#currency = :c ADD {_DAILY_ADD}",
                "ExpressionAttributeNames": _DAILY_NAMES,
                "ExpressionAttributeValues": serialize(
                    {":e": DAILY, ":d": date, ":h": shard, ":c": currency, **adds}
                ),
            }
        }
