"""AWS capacity arithmetic from item sizes (DynamoDB Local's own ReturnConsumedCapacity for a
transaction is a fixed 8 units whatever the number of items, so it cannot be used for costs).

Rules (AWS docs): an item's size is the UTF-8 length of its attribute names plus values (a
number: about 1 byte per 2 significant digits + 1); a standard write costs 1 WCU per started
KB, a transactional write 2 WCU per started KB; each GSI the item lands in costs one standard
write of the projected item; a strongly consistent read costs 1 RCU per started 4 KB.
"""

from __future__ import annotations

import math
from typing import Any

from acme_base.tables import GSI1, GSI2, GSI_DECLINED


def attribute_size(value: Any) -> int:
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int | float):
        digits = len(str(abs(int(value)))) if value else 1
        return math.ceil(digits / 2) + 1
    if isinstance(value, set | list | tuple):
        return sum(attribute_size(v) for v in value) + 3
    if isinstance(value, dict):
        return sum(len(k.encode()) + attribute_size(v) for k, v in value.items()) + 3
    return len(str(value).encode())


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + attribute_size(v) for name, v in item.items())


def indexes_of(item: dict[str, Any]) -> list[str]:
    keys = {GSI1: "GSI1PK", GSI2: "GSI2PK", GSI_DECLINED: "txn_declined_reason"}
    return [name for name, attr in keys.items() if attr in item]


def transaction_wcu(items: list[dict[str, Any]]) -> float:
    """WCU of one TransactWriteItems of puts: 2 per KB per item, +1 per KB per GSI write."""
    total = 0.0
    for item in items:
        kb = math.ceil(item_size(item) / 1024)
        total += 2 * kb + kb * len(indexes_of(item))
    return total
