"""Planted bugs of the fraud consumer (``mutants.MUTATIONS`` lists them)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from typing import Any
from unittest import mock


@contextlib.contextmanager
def alert_id_ignores_evidence() -> Iterator[None]:
    """The alert id is the rule, the account and a counter, not the evidence: a redelivered
    or replayed event raises its alert again under a new id."""
    from projections.fraud import rules

    counter = itertools.count()

    def alert_id(rule: str, account_id: str, evidence: tuple[str, ...]) -> str:
        return f"{rule}-{account_id}-{next(counter)}"

    with mock.patch.object(rules, "alert_id", alert_id):
        yield


@contextlib.contextmanager
def gap_not_healed() -> Iterator[None]:
    """An event that arrives before earlier ones of its account is evaluated at once (no
    reading of the missing events from the log): the earlier ones are then skipped as
    redeliveries and their patterns never seen."""
    from projections.fraud.engine import FraudEngine

    def advance(self: FraudEngine, profile: Any, events: list[Any]) -> Any:
        for event in events:
            profile = self._evaluate(profile, event)
        return profile

    with mock.patch.object(FraudEngine, "advance", advance):
        yield
