"""Planted bugs in the analysts' reads (statements, ``--as-of``): see ``mutants.MUTATIONS``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any
from unittest import mock

from processor import statements as statements_mod


@contextlib.contextmanager
def declines_move_money() -> Iterator[None]:
    """A statement counts a declined debit as a debit (the status is not looked at)."""

    def signed(item: Mapping[str, Any], previous: int) -> int:
        amount = int(item.get("amount") or 0)
        if item.get("kind") in statements_mod.ADDS:
            return amount
        if item.get("kind") in statements_mod.TAKES:
            return -amount
        return int(item["balance_after"]) - previous

    with mock.patch.object(statements_mod, "signed_amount", signed):
        yield


@contextlib.contextmanager
def as_of_excludes_the_instant() -> Iterator[None]:
    """``--as-of T`` leaves out an event that occurred exactly at T."""

    def pick(newest_first: Iterable[Mapping[str, Any]], at: datetime) -> Any:
        return next((i for i in newest_first if statements_mod.occurred(i) < at), None)

    with mock.patch.object(statements_mod, "pick_as_of", pick):
        yield
