"""Planted bugs in the time the ledger controls (``processor.domain.time_policy``, the pending
expiry and hold slots of ``processor.domain.pending``, the fraud rules' clock): see
``mutants.MUTATIONS``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

from acme_base.errors import InvalidInput


@contextlib.contextmanager
def pending_expires_at_occurred_at() -> Iterator[None]:
    """A pending expires at the caller's ``occurred_at + timeout_s``: one dated 2099 (before
    the time policy) stayed open for ever."""
    from processor.domain import pending

    real = pending._placed

    def placed(state: Any, fields: dict[str, Any], *args: Any) -> Any:
        return real(state, {**fields, "recorded_now": fields["occurred_at"]}, *args)

    with mock.patch.object(pending, "_placed", placed):
        yield


@contextlib.contextmanager
def future_occurred_at_accepted() -> Iterator[None]:
    """The time policy checks only the backdating bound: any future date is taken."""
    from processor.domain.time_policy import TimePolicy, occurred_times

    def check(self: TimePolicy, command: Any, now: datetime, *, operator: bool) -> None:
        earliest = now - timedelta(seconds=self.max_backdate_s)
        if not operator and any(t < earliest for t in occurred_times(command)):
            raise InvalidInput("backdated")

    with mock.patch.object(TimePolicy, "check", check):
        yield


@contextlib.contextmanager
def holds_share_one_pool() -> Iterator[None]:
    """Every hold takes a slot of one pool of 64: others' pending transfers can fill it and
    refuse the owner's card authorisations."""
    from processor.domain import pending
    from processor.domain.pending_model import MAX_OPEN

    def refuse_full(state: Any, side: Any, counterparty: Any) -> None:
        if len(state.pendings) >= MAX_OPEN:
            raise InvalidInput("full")

    with mock.patch.object(pending, "refuse_full", refuse_full):
        yield


@contextlib.contextmanager
def fraud_windows_on_occurred_at() -> Iterator[None]:
    """The fraud rules window on the client's ``occurred_at``: a burst dated apart hides."""
    from projections.fraud import rules

    with mock.patch.object(rules, "ledger_time", lambda e: e.occurred_at.timestamp()):
        yield
