"""Planted bugs of issue 11's rules (``mutants.MUTATIONS`` lists them)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from unittest import mock


@contextlib.contextmanager
def upcaster_drops_a_field() -> Iterator[None]:
    """The version 1 -> 2 upcaster rebuilds the body and forgets the optional fields of a
    check deposit (``channel``, ``check_number``): old items read silently poorer."""
    from processor.storage import upcasting

    real = upcasting.UPCASTERS[(upcasting.ANY_TYPE, 1)]

    def lossy(body: dict[str, Any]) -> dict[str, Any]:
        lifted = real(body)
        return {k: v for k, v in lifted.items() if k not in {"channel", "check_number"}}

    with mock.patch.dict(upcasting.UPCASTERS, {(upcasting.ANY_TYPE, 1): lossy}):
        yield


@contextlib.contextmanager
def overdraft_doubles_the_limit() -> Iterator[None]:
    """What may be spent counts the credit limit twice: debits go past the overdraft."""
    from processor.domain import limits

    def available(state: Any) -> int | None:
        low = limits.floor(state.limits)
        return None if low is None else state.balance - 2 * low

    with mock.patch.object(limits, "available", available):
        yield


@contextlib.contextmanager
def closed_account_accepts_commands() -> Iterator[None]:
    """``decide`` forgets to refuse a closed account: events follow the close."""
    from processor.domain import decide

    with mock.patch.object(decide, "refuse_closed", lambda state: None):
        yield


@contextlib.contextmanager
def stamp_forgets_the_trace() -> Iterator[None]:
    """Events are stamped with ``recorded_at`` but not the command's tracing fields."""
    from processor.domain import lifecycle

    with mock.patch.object(lifecycle, "trace_of", lambda command: {}):
        yield
