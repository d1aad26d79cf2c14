"""Planted bugs in the analysts' reads (statements, ``--as-of``): see ``mutants.MUTATIONS``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

from processor.domain import asof_rule
from processor.domain import decide as decide_mod
from processor.domain.events import LedgerEvent
from processor.reads import asof as asof_mod
from processor.reads import statements as statements_mod

real_rule = asof_rule.balance_as_of


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


def _patch_rule(fn: Any) -> contextlib.AbstractContextManager[Any]:
    """Replace ``balance_as_of`` where it is called (the rule's module and the reads')."""
    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch.object(asof_rule, "balance_as_of", fn))
    stack.enter_context(mock.patch.object(asof_mod, "balance_as_of", fn))
    return stack


@contextlib.contextmanager
def as_of_excludes_the_instant() -> Iterator[None]:
    """``--as-of T`` leaves out an event that occurred exactly at T."""

    def rule(head: LedgerEvent, later: Iterable[LedgerEvent], at: datetime) -> Any:
        return real_rule(head, later, at - timedelta(microseconds=1))

    with _patch_rule(rule):
        yield


@contextlib.contextmanager
def as_of_uses_balance_after() -> Iterator[None]:
    """The old bug: ``--as-of T`` answers with the ``balance_after`` of the newest event
    effective by T, which runs in recorded order (wrong once a command is backdated)."""

    def rule(head: LedgerEvent, tail: Iterable[LedgerEvent], at: datetime) -> Any:
        later = list(tail)
        found = real_rule(head, later, at)
        if found is None:
            return None
        newest = [e for e in later if e.seq <= head.seq and e.occurred_at <= at]
        return (newest[-1].balance_after if newest else found[0]), found[1]

    with _patch_rule(rule):
        yield


@contextlib.contextmanager
def as_of_ignores_known_at() -> Iterator[None]:
    """``--known-at K`` is ignored: events recorded after K are counted."""
    with mock.patch.object(
        asof_mod, "known_head", lambda events, known_at: next(iter(events), None)
    ):
        yield


@contextlib.contextmanager
def backdated_before_opening() -> Iterator[None]:
    """A command effective before its account's opening is accepted."""
    with mock.patch.object(decide_mod, "refuse_before_opening", lambda state, occurred_at: None):
        yield
