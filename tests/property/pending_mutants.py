"""Planted bugs of issue 11's two-phase and linked transfers (``mutants.MUTATIONS`` lists
them): each is caught by the pure properties of ``tests/unit/test_pending_rules.py`` and
``tests/unit/test_linked_rules.py``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from unittest import mock


@contextlib.contextmanager
def _keep_open(event_type: str) -> Iterator[None]:
    """``pendings_after`` forgets to close the pending on ``event_type`` (in both the
    decision's stamp and evolve's check, so the fold agrees with the bug)."""
    from processor.domain import (
        evolve,  # evolve: the fold, split out of decide.py
        pending,
    )

    real = pending.pendings_after

    def buggy(state: Any, event: Any) -> Any:
        if event.event_type == event_type:
            return tuple(state.pendings)
        return real(state, event)

    with (
        mock.patch.object(pending, "pendings_after", buggy),
        mock.patch.object(evolve, "pendings_after", buggy),
    ):
        yield


def pending_posted_twice() -> contextlib.AbstractContextManager[None]:
    """A posted pending stays open: it can be posted again (money reserved once, moved twice)."""
    return _keep_open("PendingPosted")


def void_does_not_release() -> contextlib.AbstractContextManager[None]:
    """A void leaves the hold in place: the reserved amount is never released."""
    return _keep_open("PendingVoided")


@contextlib.contextmanager
def linked_leg_written_alone() -> Iterator[None]:
    """A declined batch still writes the legs decided before the declining one."""
    from processor.domain import linked
    from processor.services import linked_jobs

    real = linked.decide_linked

    def buggy(states: Any, cmd: Any, now: Any) -> Any:
        decision = real(states, cmd, now)
        if decision.declined_leg is None:
            return decision
        head = cmd.model_copy(update={"legs": cmd.legs[: decision.declined_leg]})
        written = real(states, head, now).legs if head.legs else []
        return linked.LinkedDecision([*written, *decision.legs], decision.declined_leg)

    with (
        mock.patch.object(linked, "decide_linked", buggy),
        mock.patch.object(linked_jobs, "decide_linked", buggy),
    ):
        yield


@contextlib.contextmanager
def resolution_leaves_marker() -> Iterator[None]:
    """A post, void or expiry leaves its pending's open marker behind (the twin forgets to
    drop it with the claim): the sweeper's index lists a resolved pending. On DynamoDB the
    claim's put *is* the marker's replacement, so this bug has no DynamoDB form."""
    from processor.storage import memory

    with mock.patch.object(memory, "claimed_pending", lambda txn_id: None):
        yield


@contextlib.contextmanager
def placement_without_marker() -> Iterator[None]:
    """A placement writes no marker (both stores): the sweeper never finds the pending."""
    from processor.storage import memory, store

    with (
        mock.patch.object(memory, "markers_of", lambda events, records: []),
        mock.patch.object(store, "markers_of", lambda events, records: []),
    ):
        yield
