"""``ordered_map`` streams: a bounded window of lines in flight (``submit`` of 100k lines in
flat memory, issue 14), results still in input order, one key's items still in order."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from processor.services.ordering import ordered_map


def test_given_a_long_input_when_the_first_result_is_taken_then_only_a_window_was_read() -> None:
    # GIVEN an endless input that counts how far it has been read
    read = 0

    def endless() -> Iterator[int]:
        nonlocal read
        while True:
            read += 1
            yield read

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = ordered_map(pool, lambda n: n * 10, endless(), lambda n: frozenset(), window=8)
        # WHEN the first result is taken THEN it is the first line's, and at most a window
        # of lines has been read
        assert next(results) == 10
        assert read <= 8


def test_given_keyed_items_when_mapped_through_a_small_window_then_order_is_kept() -> None:
    # GIVEN 200 items on 3 keys, each recording when it ran
    ran: dict[str, list[int]] = {"a": [], "b": [], "c": []}
    lock = threading.Lock()

    def work(n: int) -> int:
        with lock:
            ran["abc"[n % 3]].append(n)
        return n

    with ThreadPoolExecutor(max_workers=4) as pool:
        # WHEN mapped with a window of 5
        out = list(ordered_map(pool, work, range(200), lambda n: frozenset("abc"[n % 3]), 5))
    # THEN results come back in input order and each key's items ran in input order
    assert out == list(range(200))
    assert all(items == sorted(items) for items in ran.values())
