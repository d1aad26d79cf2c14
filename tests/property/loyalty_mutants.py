"""Planted bugs in the loyalty application (catalogued in ``mutants.MUTATIONS``, caught by
``LoyaltyMachine``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from unittest import mock

from apps.loyalty import model as model_mod
from apps.loyalty import service as service_mod
from processor.domain.events import DebitDeclined, FundsCredited, FundsDebited, LedgerEvent
from processor.domain.outcomes import as_duplicate


@contextlib.contextmanager
def declines_spend_points() -> Iterator[None]:
    """The fold counts a declined REDEEM as spent: the view shows fewer points than the log."""

    def delta(event: LedgerEvent) -> int:
        if isinstance(event, FundsCredited):
            return event.amount
        if isinstance(event, FundsDebited | DebitDeclined):
            return -event.amount
        return 0

    with mock.patch.object(model_mod, "_delta", delta):
        yield


@contextlib.contextmanager
def tier_from_balance() -> Iterator[None]:
    """The tier follows the current balance, not the lifetime earned points: a REDEEM demotes."""
    real = model_mod._apply

    def apply(out: Any, event: LedgerEvent, rules: Any) -> Any:
        view = real(out, event, rules)
        return replace(view, tier=rules.tier_of(max(view.points, 0)))

    with mock.patch.object(model_mod, "_apply", apply):
        yield


@contextlib.contextmanager
def repeat_always_duplicate() -> Iterator[None]:
    """An EARN whose transactionId is taken answers ``duplicate`` whatever its payload (the
    seed's "skip if the id is in the history"): a different EARN under a used id is swallowed."""

    def repeat(self: Any, cmd: Any, first: Any) -> Any:
        return as_duplicate(first)

    with mock.patch.object(service_mod.Loyalty, "_repeat", repeat):
        yield
