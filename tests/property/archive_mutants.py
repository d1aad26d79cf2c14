"""Planted bugs of archival keeping every state, the pending cap, the opening resend and the
declined linked leg (``mutants.MUTATIONS`` lists them): each one re-introduces a bug that was
real, and the laws of ``tests/unit/test_properties_archive.py`` and
``tests/unit/test_placement_reuse_linked.py`` catch it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from unittest import mock

from acme_base.errors import InvariantViolation


@contextlib.contextmanager
def snapshot_forgets_closed() -> Iterator[None]:
    """The snapshot carries no closed flag: an archived closed account comes back to life."""
    from processor.domain import archive

    real = archive.snapshot_at

    def snapshot_at(*args: Any, **kwargs: Any) -> Any:
        return replace(real(*args, **kwargs), closed=False)

    with mock.patch.object(archive, "snapshot_at", snapshot_at):
        yield


@contextlib.contextmanager
def snapshot_refuses_negative_balance() -> Iterator[None]:
    """The fold refuses a snapshot below zero (an overdraft within the limits, a bank-side
    account): such an account can no longer be archived nor replayed."""
    from processor.domain import evolve

    real = evolve._resume

    def resume(state: Any, event: Any) -> Any:
        if event.balance_after < 0:
            raise InvariantViolation(f"bad HistoryArchived for {event.account_id}")
        return real(state, event)

    with mock.patch.object(evolve, "_resume", resume):
        yield


@contextlib.contextmanager
def pending_ignores_pending_credits() -> Iterator[None]:
    """A pending transfer is judged on the receiver's posted balance alone: two pendings that
    together pass its max_balance are both placed, and one can never post."""
    from processor.domain import decide_money

    with mock.patch.object(decide_money, "announced", lambda state, now: state):
        yield


@contextlib.contextmanager
def opening_resend_ignores_limits() -> Iterator[None]:
    """A resent opening is a duplicate whenever customer and currency match, whatever limits
    it asks for: the caller believes its limits applied."""
    from processor.services import jobs

    def same(first: Any, cmd: Any) -> bool:
        return bool((first.customer_id, first.currency) == (cmd.customer_id, cmd.currency))

    with mock.patch.object(jobs, "_same_opening", same):
        yield


@contextlib.contextmanager
def linked_decline_on_the_batch_start() -> Iterator[None]:
    """A declined leg records no judged balance: the decline looks impossible (declined an
    amount the recorded balance covers)."""
    from processor.domain import linked

    real = linked._rebased

    def rebased(event: Any, states: Any) -> Any:
        return replace(real(event, states), judged_balance=None)

    with mock.patch.object(linked, "_rebased", rebased):
        yield
