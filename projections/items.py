"""The views table's item layout, as plain dicts (pure: no I/O, no boto3).

Both view stores keep exactly these items (the DynamoDB adapter serializes them, the in-memory
twin keeps them as they are), so one set of readers serves both:

- balance:  ``PK=ACCT#<account>``, ``SK=BALANCE``; ``balance`` (minor units), ``applied_seq``,
  ``currency``, ``account_id``.
- daily:    ``PK=DAY#<date>#<shard>``, ``SK=TOTALS`` (USD, the default currency: the
  single-currency layout, unchanged) or ``SK=TOTALS#<currency>`` (any other); ``report_date``,
  ``shard``, ``currency`` (absent on items written before currencies: USD) and the six
  counters of ``DailyTotals`` (ADDed). A day's totals per currency are the sum of its shards;
  one Query of a shard's partition answers every currency of that day and shard.
- declined: ``PK=DECL#<account>``, ``SK=TXN#<seq>``; ``txn_declined_reason`` + ``txn_date``
  (the sparse GSI ``GSI_Sparse_TXN_Declined`` keys) and the event's fields.

Every item carries ``entity`` (one of ``ENTITIES``), which names its read model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from acme_base.keys import balance_key, daily_key, declined_key
from processor.domain.currency import DEFAULT_CURRENCY
from projections.model import (
    DAILY_FIELDS,
    BalanceView,
    DailyTotals,
    DeclinedEntry,
    EventKey,
    ShardKey,
    Snapshot,
    sum_shards,
)

BALANCE, DAILY, DECLINED = "balance", "daily", "declined"
ENTITIES = (BALANCE, DAILY, DECLINED)
#: the sparse declined index's keys: an item without both is not in the index
DECLINED_REASON, DECLINED_DATE = "txn_declined_reason", "txn_date"

Item = dict[str, Any]


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def key_of(item: Mapping[str, Any]) -> dict[str, str]:
    return {"PK": str(item["PK"]), "SK": str(item["SK"])}


def balance_item(view: BalanceView) -> Item:
    return {
        **balance_key(view.account_id),
        "entity": BALANCE,
        "account_id": view.account_id,
        "balance": view.balance,
        "applied_seq": view.applied_seq,
        "currency": view.currency,
        "pending_debits": view.pending_debits,
        "pending_credits": view.pending_credits,
        "updated_at": now_iso(),
    }


def daily_totals_key(date: str, shard: int, currency: str) -> dict[str, str]:
    """The key of a day's totals in ``currency`` on ``shard`` (USD keeps the old layout)."""
    return daily_key(date, shard, None if currency == DEFAULT_CURRENCY else currency)


def daily_item(
    date: str, shard: int, totals: DailyTotals, currency: str = DEFAULT_CURRENCY
) -> Item:
    return {
        **daily_totals_key(date, shard, currency),
        "entity": DAILY,
        "report_date": date,
        "shard": shard,
        "currency": currency,
        **totals.as_dict(),
    }


def currency_of(item: Mapping[str, Any]) -> str:
    """A daily item's currency (items written before currencies carry none: USD)."""
    return str(item.get("currency") or DEFAULT_CURRENCY)


def shard_key_of(item: Mapping[str, Any]) -> ShardKey:
    return (str(item["report_date"]), currency_of(item), _int(item["shard"]))


def declined_item(entry: DeclinedEntry) -> Item:
    item = {
        **declined_key(entry.account_id, entry.seq),
        "entity": DECLINED,
        **entry.as_dict(),
        DECLINED_REASON: entry.reason,
    }
    del item["reason"]
    return item


def _int(value: Any) -> int:
    return int(value) if isinstance(value, Decimal | int) else int(str(value))


def balance_of(item: Mapping[str, Any]) -> BalanceView:
    return BalanceView(
        str(item["account_id"]),
        _int(item["balance"]),
        _int(item["applied_seq"]),
        str(item.get("currency", "")),
        _int(item.get("pending_debits", 0)),  # items written before issue 11: none
        _int(item.get("pending_credits", 0)),
    )


def totals_of(item: Mapping[str, Any]) -> DailyTotals:
    return DailyTotals(**{f: _int(item.get(f, 0)) for f in DAILY_FIELDS})


def declined_of(item: Mapping[str, Any]) -> DeclinedEntry:
    return DeclinedEntry(
        account_id=str(item["account_id"]),
        seq=_int(item["seq"]),
        txn_id=str(item["txn_id"]),
        reason=str(item[DECLINED_REASON]),
        amount=_int(item["amount"]),
        txn_date=str(item["txn_date"]),
        occurred_at=str(item["occurred_at"]),
        kind=str(item["kind"]),
        currency=str(item["currency"]),
    )


def snapshot_of(items: Iterable[Mapping[str, Any]]) -> Snapshot:
    """All three read models from every item of the table (daily shards summed per date and
    currency)."""
    balances: dict[str, BalanceView] = {}
    sharded: dict[ShardKey, DailyTotals] = {}
    declined: dict[EventKey, DeclinedEntry] = {}
    for item in items:
        entity = item.get("entity")
        if entity == BALANCE:
            view = balance_of(item)
            balances[view.account_id] = view
        elif entity == DAILY:
            sharded[shard_key_of(item)] = totals_of(item)
        elif entity == DECLINED:
            entry = declined_of(item)
            declined[(entry.account_id, entry.seq)] = entry
    return Snapshot(balances, sum_shards(sharded), declined)
