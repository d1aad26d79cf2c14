"""The as-of rule, pure: an account's balance as of an effective time, as known at a time.

``balance(T, K)`` is the sum of the approved postings whose effective time (``occurred_at``)
is at or before ``T``, among the events the ledger had recorded by ``K`` (``recorded_at``;
default: now, every event). Whatever order they were recorded in: a backdated command gets
the account's next seq, so the ``balance_after`` it carries runs in recorded order, never in
effective order, and cannot answer an as-of question on its own.

It is computed without folding the whole history: the newest event recorded by ``K`` (the
"known head") carries the sum of every posting up to its seq, so

    balance(T, K) = known_head.balance_after - sum(postings of seq <= known_head.seq
                                                    effective after T)

which needs the known head and the events effective after ``T`` only (GSI1 orders them by
effective day: ``processor.reads.asof``). ``None``: the account was not open at ``T`` (its opening
is effective after ``T``) or not yet known at ``K``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from processor.domain.events import AccountOpened, LedgerEvent, signed_amount


def recorded(event: LedgerEvent) -> datetime:
    """When the ledger wrote the event (events from before ``recorded_at``: their time)."""
    return event.recorded_at or event.occurred_at


def known_head(
    newest_first: Iterable[LedgerEvent], known_at: datetime | None
) -> LedgerEvent | None:
    """The newest event (by seq) recorded by ``known_at`` (None: the newest of all)."""
    for event in newest_first:
        if known_at is None or recorded(event) <= known_at:
            return event
    return None


def balance_as_of(
    head: LedgerEvent, effective_after: Iterable[LedgerEvent], at: datetime
) -> tuple[int, int] | None:
    """``(balance, postings left out)`` as of ``at`` from the known ``head`` and the events
    effective after ``at`` (any others in ``effective_after`` are ignored); None: the
    account's opening is effective after ``at``."""
    balance, left_out = head.balance_after, 0
    for event in effective_after:
        if event.seq > head.seq or event.occurred_at <= at:
            continue  # recorded after K, or effective by T: part of the answer as it is
        if isinstance(event, AccountOpened):
            return None
        amount = signed_amount(event)
        balance -= amount
        left_out += amount != 0
    return balance, left_out


def opened_before(opened_at: datetime | None, occurred_at: datetime | None) -> bool:
    """A command effective before its account's opening (None: not known, or now)."""
    return opened_at is not None and occurred_at is not None and occurred_at < opened_at
