"""In-order submission per account (issue 11 item 8): ``submit --workers N`` runs the lines
of different accounts concurrently and the lines of one account in input order.

Each line names the keys it touches (``keys_of``: its accounts, its customer, its offer, its
txn id and a pending txn it resolves); a line starts only once the previous line of every
key it names has finished, so a transfer (or a linked batch) waits for the earlier lines of
both (all) its accounts: a per-key dependency chain. Outcomes come back in input order.

No deadlock: a line depends only on earlier lines, and the pool starts lines in input order,
so whatever a running line waits for has started before it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

from acme_base.errors import InvalidInput
from processor.domain.parsing import decode_json

__all__ = ["keys_of", "ordered_map"]

T = TypeVar("T")
#: fields naming an account, a customer, an offer or a transaction (a dependency key each)
_KEY_FIELDS = {
    "account_id": "acct",
    "from_account": "acct",
    "to_account": "acct",
    "customer_id": "cust",
    "offer_id": "offer",
    "txn_id": "txn",
    "pending_txn_id": "txn",
}
_MAX_KEYS = 256
MAX_ORDERED_BYTES = 1 << 20  # a line longer than any parser takes is rejected anyway


def keys_of(line: str | bytes | dict[str, Any]) -> frozenset[str]:
    """The keys a command line touches, best effort (an unreadable line touches none and
    runs at once: it is rejected anyway). Nested objects (a linked batch's legs) count."""
    raw: Any = line
    if isinstance(line, str | bytes):
        try:
            raw = decode_json(line, MAX_ORDERED_BYTES)  # the canonical decoder: no crash
        except InvalidInput:
            return frozenset()
    keys: set[str] = set()
    _collect(raw, keys, depth=0)
    return frozenset(keys)


def _collect(value: Any, keys: set[str], depth: int) -> None:
    if depth > 3 or len(keys) >= _MAX_KEYS:
        return
    if isinstance(value, list):
        for item in value[:_MAX_KEYS]:
            _collect(item, keys, depth + 1)
    elif isinstance(value, dict):
        for name, item in value.items():
            kind = _KEY_FIELDS.get(name)
            if kind is not None and isinstance(item, str):
                keys.add(f"{kind}:{item}")
            elif name == "customer_ids" and isinstance(item, list):
                keys.update(f"cust:{c}" for c in item[:_MAX_KEYS] if isinstance(c, str))
            elif isinstance(item, list | dict):
                _collect(item, keys, depth + 1)


def ordered_map(
    pool: Executor,
    function: Callable[[T], Any],
    items: Iterable[T],
    keys: Callable[[T], frozenset[str]],
    window: int = 1024,
) -> Iterator[Any]:
    """``pool.map(function, items)`` where items sharing a key run one after the other, in
    input order; results in input order.

    Streams (issue 14: ``submit`` of 100k lines in flat memory): at most ``window`` items
    are in flight; the oldest result is handed back before the next item is read, and a key
    whose last item has been handed back is forgotten (it has finished: nothing to wait for).
    """
    last: dict[str, Future[Any]] = {}
    in_flight: deque[tuple[Future[Any], frozenset[str]]] = deque()
    for item in items:
        item_keys = keys(item)
        before = {last[k] for k in item_keys if k in last}
        future = pool.submit(_after, before, function, item)
        for key in item_keys:
            last[key] = future
        in_flight.append((future, item_keys))
        if len(in_flight) >= window:
            yield _hand_back(in_flight, last)
    while in_flight:
        yield _hand_back(in_flight, last)


def _hand_back(
    in_flight: deque[tuple[Future[Any], frozenset[str]]], last: dict[str, Future[Any]]
) -> Any:
    """The oldest result (waiting for it); its keys are dropped where it was their last."""
    future, item_keys = in_flight.popleft()
    result = future.result()
    for key in item_keys:
        if last.get(key) is future:
            del last[key]
    return result


def _after(before: set[Future[Any]], function: Callable[[T], Any], item: T) -> Any:
    for earlier in before:
        earlier.exception()  # waits; an earlier failure does not stop this line
    return function(item)
