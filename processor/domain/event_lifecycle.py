"""Lifecycle events: opening, block/unblock (freeze), limits, close and the archival snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from processor.domain.event_base import EventBase


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountOpened(EventBase):
    event_type: Literal["AccountOpened"] = "AccountOpened"
    kind: Literal["open"] = "open"
    status: Literal["approved"] = "approved"
    customer_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryArchived(EventBase):
    """A snapshot of the account at an archival cut (``acme-txn archive``).

    It takes the place of the last archived event: the same ``seq`` and ``balance_after``,
    and that event's ``occurred_at``, so the live stream stays contiguous and its head, its
    fold and the next seq are unchanged. Events ``0..seq`` live on in the archive table.
    It carries the whole account state at the cut: what the deleted ``AccountOpened`` knew
    (``customer_id``, ``currency``), what every event carries (the balance, negative within
    the limits; ``blocked``, ``limits``, the open ``pendings``) and ``closed`` (the replaced
    head was ``AccountClosed``: the account stays closed) and ``opened_at`` (the opening's
    time, which no later command may precede). Version 1 had no ``closed`` (it reads as
    False); version 2 carries it (and ``opened_at``, None in snapshots written before it). Like an
    opening it is no transaction (``kind`` ``open``, ``amount`` 0): no daily total, no
    decline, no effect on the balance; the projection never applies it (the stream handler
    skips it, see ``processor.domain.archive``).
    """

    event_type: Literal["HistoryArchived"] = "HistoryArchived"
    kind: Literal["open"] = "open"
    status: Literal["approved"] = "approved"
    version: Literal[1, 2] = 2
    customer_id: str
    closed: bool = False
    opened_at: datetime | None = None
    archived_events: int  # events 0..seq, now in the archive (>= 1)
    archived_before: str  # the cut date: events before it were moved
    archived_at: datetime  # timezone-aware, UTC


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountBlocked(EventBase):
    """Money may no longer leave the account (debits and outgoing transfers are declined
    ``unauthorized``); credits are still accepted. ``amount`` is 0, the balance unchanged."""

    event_type: Literal["AccountBlocked"] = "AccountBlocked"
    version: Literal[1] = 1
    kind: Literal["block"] = "block"
    status: Literal["approved"] = "approved"
    note: str  # why (the command's reason, at most 200 characters)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountUnblocked(EventBase):
    event_type: Literal["AccountUnblocked"] = "AccountUnblocked"
    version: Literal[1] = 1
    kind: Literal["unblock"] = "unblock"
    status: Literal["approved"] = "approved"
    note: str | None = None  # at most 200 characters


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitsSet(EventBase):
    """``set_limits``: the account's new limits, carried in ``limits`` (None: the defaults).
    ``amount`` is 0 and the balance unchanged; the balance was within the new limits."""

    event_type: Literal["LimitsSet"] = "LimitsSet"
    kind: Literal["limits"] = "limits"
    status: Literal["approved"] = "approved"


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountClosed(EventBase):
    """``close_account``: the last event of the account, written at a zero balance; every
    later command naming the account is ``rejected`` "account closed"."""

    event_type: Literal["AccountClosed"] = "AccountClosed"
    kind: Literal["close"] = "close"
    status: Literal["approved"] = "approved"
    note: str | None = None  # at most 200 characters
