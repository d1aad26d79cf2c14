"""Planted bugs of the per-currency read models (issue 11 item 4), for ``mutants.py``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from unittest import mock

from processor.domain.currency import DEFAULT_CURRENCY
from processor.domain.events import LedgerEvent
from projections.model import ShardKey
from projections.model import shard_key as real_shard_key


@contextlib.contextmanager
def daily_totals_ignore_currency() -> Iterator[None]:
    """The projector keys daily totals by (date, shard) only, as before currencies: every
    currency's minor units land in (and are added to) the USD totals."""

    def shard_key(event: LedgerEvent) -> ShardKey:
        date, _currency, shard = real_shard_key(event)
        return (date, DEFAULT_CURRENCY, shard)

    with mock.patch("projections.plan.shard_key", shard_key):
        yield
