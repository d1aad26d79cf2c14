"""Planted bug of issue 14's head adoption (``mutants.MUTATIONS`` lists it): caught by the
pure property of ``tests/unit/test_adopt_heads.py``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from unittest import mock


@contextlib.contextmanager
def adopt_own_plan() -> Iterator[None]:
    """A lost race adopts the loser's own planned heads (its uncommitted balances) instead of
    the winner's events: the retry writes on money that was never credited."""
    from processor.services import appends

    def buggy(self: Any, job: Any, plan: Any, seen: Any) -> None:
        self.heads.forget(*job.accounts)
        self.heads.remember(plan.heads_after)
        self.stats["retries"] = self.stats.get("retries", 0) + 1

    with mock.patch.object(appends.Appender, "_lost_race", buggy):
        yield
