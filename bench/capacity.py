"""AWS capacity arithmetic from item sizes, by DynamoDB's documented rules (pure).

DynamoDB Local's own ``ReturnConsumedCapacity`` for a transaction is a fixed figure whatever
the number of items, so costs are computed here instead, from the items actually written.

Item size (AWS "DynamoDB item sizes and formats"): the UTF-8 length of every attribute name
plus its value: a string its UTF-8 bytes; a number 1 byte per two significant digits (leading
and trailing zeros trimmed) + 1; binary its raw bytes; null or boolean 1 byte; a list or map
3 bytes + its elements + 1 byte per element; a set the sum of its elements.

Units: a standard write 1 WCU per started KB, a transactional write 2; each GSI the item is
in (it has the index's key attributes) one standard write of the projected item (ALL here);
a strongly consistent read 1 RCU per started 4 KB (a Query sums its items first), eventually
consistent half that, transactional double.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import Binary

from acme_base.settings import Settings
from acme_base.tables import ledger_spec

KB = 1024
READ_UNIT = 4 * KB

#: on-demand prices, USD per million request units (us-east-1, since the 2024-11 price cut)
PRICE_PER_MILLION_WRU = 0.625
PRICE_PER_MILLION_RRU = 0.125


def number_size(value: int | float | Decimal) -> int:
    """1 byte per two significant digits (leading/trailing zeros trimmed), + 1."""
    digits = format(Decimal(str(value)).normalize(), "f").replace("-", "").replace(".", "")
    significant = digits.strip("0") or "0"
    return math.ceil(len(significant) / 2) + 1


def value_size(value: Any) -> int:
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int | float | Decimal):
        return number_size(value)
    if isinstance(value, bytes | bytearray):
        return len(value)
    if isinstance(value, Binary):  # how boto3's deserializer hands back a B value
        return len(value.value)
    if isinstance(value, set | frozenset):
        return sum(value_size(v) for v in value)
    if isinstance(value, list | tuple):
        return 3 + sum(value_size(v) + 1 for v in value)
    if isinstance(value, Mapping):
        return 3 + sum(len(str(k).encode()) + value_size(v) + 1 for k, v in value.items())
    raise TypeError(f"not a DynamoDB value: {type(value).__name__}")


def item_size(item: Mapping[str, Any]) -> int:
    """Bytes of a plain (deserialized) item by the documented rules."""
    return sum(len(name.encode()) + value_size(v) for name, v in item.items())


def index_keys(definition: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Each GSI of a table definition and its key attributes."""
    return {
        gsi["IndexName"]: tuple(k["AttributeName"] for k in gsi["KeySchema"])
        for gsi in definition.get("GlobalSecondaryIndexes", [])
    }


def indexes_of(item: Mapping[str, Any], indexes: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The GSIs an item lands in: those whose every key attribute it has (sparse indexes)."""
    return [name for name, keys in indexes.items() if all(k in item for k in keys)]


def write_units(size: int, *, transactional: bool = False) -> int:
    kb = max(1, math.ceil(size / KB))
    return kb * (2 if transactional else 1)


def item_write_units(
    item: Mapping[str, Any],
    indexes: Mapping[str, tuple[str, ...]],
    *,
    transactional: bool = False,
) -> int:
    """WCU of writing one item: the table write plus one standard write per GSI it is in."""
    size = item_size(item)
    return write_units(size, transactional=transactional) + write_units(size) * len(
        indexes_of(item, indexes)
    )


def read_units(
    sizes: Iterable[int], *, consistent: bool = True, transactional: bool = False
) -> float:
    """RCU of one read returning items of these sizes (GetItem: one; Query: summed)."""
    units = max(1, math.ceil(sum(sizes) / READ_UNIT))
    if transactional:
        return 2.0 * units
    return float(units) if consistent else units / 2


def price_per_million(wcu: float, rcu: float) -> float:
    """On-demand USD for a million operations of ``wcu`` write and ``rcu`` read units each."""
    return round(wcu * PRICE_PER_MILLION_WRU + rcu * PRICE_PER_MILLION_RRU, 4)


def transaction_wcu(
    items: list[dict[str, Any]], indexes: Mapping[str, tuple[str, ...]] | None = None
) -> float:
    """WCU of one TransactWriteItems of puts (2 per KB per item + 1 per KB per GSI write)."""
    if indexes is None:
        indexes = index_keys(ledger_spec(Settings()).definition)
    return float(sum(item_write_units(i, indexes, transactional=True) for i in items))
