"""Archival after 7 years, the pure part: the retention date, the cut, the steps, the history.

The cut of an account is the longest *prefix* of its stream whose events were all recorded
before the cut date (``archival_time``: the ledger's ``recorded_at``, or ``occurred_at`` for
events from before it existed). The retention runs from when the bank recorded an event, not
from the date a client claimed: an event backdated into an old year is kept live its full
retention, and a legacy event dated far ahead (before the time policy refused such dates)
cannot hold its account's history live for ever. A snapshot can only stand for a prefix.
The prefix moves to the archive table; in the live table a
``HistoryArchived`` snapshot takes the place of its last event (same seq, same balance), so

- the live stream is still contiguous: the snapshot at seq ``c`` then ``c+1``, ``c+2``...;
- the head read, the next command's seq and balance, ``fold``/``replay`` are unchanged;
- the archive holds the real events ``0..c`` (never a snapshot), so archive + live, with the
  snapshot dropped where the archive holds its seq, is exactly the original log.

A cut is written in *steps*, each one ``TransactWriteItems`` of at most 100 actions: delete
up to 99 live items (events, or an earlier snapshot) and replace the next one with a snapshot
at its seq. After every step the live stream is valid and the archive already holds what was
removed (it is written first), so a crash anywhere leaves a state that a rerun resumes.

No I/O here (see ``processor.services.archiver`` for the service,
``processor.storage.archive_store`` for the
archive table).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from acme_base.errors import InvalidInput
from processor.domain.events import AccountClosed, AccountOpened, HistoryArchived, LedgerEvent

RETENTION_YEARS = 7
MAX_STEP_ACTIONS = 100  # TransactWriteItems' limit: 99 deletes + the snapshot


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def retention_cut(today: date, years: int = RETENTION_YEARS) -> date:
    """The default cut: events that occurred before this date are past the retention."""
    return years_before(today, years)


def parse_cut(text: str | None, today: date, force: bool) -> date:
    """``--before`` (ISO ``YYYY-MM-DD``), checked against the retention; None: the default."""
    oldest_allowed = retention_cut(today)
    if text is None:
        return oldest_allowed
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"--before {text!r} is not a date (YYYY-MM-DD)") from exc
    if len(text) != 10:
        raise InvalidInput(f"--before {text!r} is not a date (YYYY-MM-DD)")
    if day > oldest_allowed and not force:
        raise InvalidInput(
            f"--before {day} is less than {RETENTION_YEARS} years ago: the retention keeps "
            f"every event since {oldest_allowed} in the live ledger; pass --force to "
            "archive younger events"
        )
    return day


def cut_instant(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def old_prefix(stream: Iterable[LedgerEvent], before: date) -> list[LedgerEvent]:
    """The live stream's longest prefix of events recorded before ``before`` (reads
    ``stream`` lazily, so a paginated read stops at the first younger event)."""
    limit = cut_instant(before)
    prefix: list[LedgerEvent] = []
    for event in stream:
        if archival_time(event) >= limit:
            break
        prefix.append(event)
    return prefix


def archival_time(event: LedgerEvent) -> datetime:
    """The instant the retention runs from: when the ledger recorded ``event`` (events from
    before ``recorded_at`` existed: when they occurred, as the upcaster reads them)."""
    return event.recorded_at or event.occurred_at


def is_snapshot(event: LedgerEvent) -> bool:
    return isinstance(event, HistoryArchived)


@dataclass(frozen=True)
class Step:
    """One atomic write: delete ``deleted`` (live items, in seq order), replace ``replaced``
    (a live event, still there) by ``snapshot`` at the same seq."""

    deleted: tuple[LedgerEvent, ...]
    replaced: LedgerEvent
    snapshot: HistoryArchived


@dataclass(frozen=True)
class Cut:
    """What archiving one account at ``before`` takes: events for the archive, then steps."""

    account_id: str
    to_archive: tuple[LedgerEvent, ...]  # real events (no snapshot), in seq order
    steps: tuple[Step, ...]

    @property
    def seq(self) -> int:
        return self.steps[-1].snapshot.seq if self.steps else -1


def _opened_at(first: LedgerEvent) -> datetime | None:
    """When the account was opened: its opening's time, or what an earlier snapshot kept."""
    if isinstance(first, AccountOpened):
        return first.occurred_at
    return getattr(first, "opened_at", None)


def _customer(first: LedgerEvent) -> str:
    if isinstance(first, AccountOpened | HistoryArchived):
        return first.customer_id
    raise InvalidInput(
        f"{first.account_id}: the live stream starts at seq {first.seq} with "
        f"{first.event_type}, neither an opening nor a snapshot"
    )


def snapshot_at(
    event: LedgerEvent,
    customer_id: str,
    before: date,
    now: datetime,
    opened_at: datetime | None = None,
) -> HistoryArchived:
    """The snapshot that takes the place of ``event`` (it keeps its seq, balance and date)
    and carries the whole state after it (``processor.domain.account_state.AccountState``)."""
    return HistoryArchived(
        account_id=event.account_id,
        seq=event.seq,
        txn_id=f"archive#{event.account_id}#{event.seq}",
        currency=event.currency,
        amount=0,
        balance_after=event.balance_after,
        occurred_at=event.occurred_at,
        blocked=event.blocked,  # a blocked account stays blocked across the cut
        limits=event.limits,  # and keeps its limits
        pendings=event.pendings,  # and its open pendings (processor.domain.pending)
        closed=isinstance(event, AccountClosed) or getattr(event, "closed", False),
        customer_id=customer_id,
        opened_at=opened_at,  # no command may take effect before it, archived or not
        archived_events=event.seq + 1,
        archived_before=before.isoformat(),
        archived_at=now,
    )


def plan_cut(
    prefix: Sequence[LedgerEvent],
    before: date,
    now: datetime,
    max_actions: int = MAX_STEP_ACTIONS,
) -> Cut | None:
    """The cut of one account from its live prefix (``old_prefix``); None: nothing to move
    (the prefix is empty, or only the opening, or only the current snapshot)."""
    if len(prefix) < 2:
        return None
    account = prefix[0].account_id
    customer, opened_at = _customer(prefix[0]), _opened_at(prefix[0])
    steps: list[Step] = []
    pending: list[LedgerEvent] = list(prefix)  # live items still to remove or replace
    while len(pending) > 1:
        window, rest = pending[:max_actions], pending[max_actions:]
        snapshot = snapshot_at(window[-1], customer, before, now, opened_at)
        steps.append(Step(tuple(window[:-1]), window[-1], snapshot))
        pending = [snapshot, *rest] if rest else []
    to_archive = tuple(e for e in prefix if not is_snapshot(e))
    return Cut(account, to_archive, tuple(steps))


def merge_history(
    archived: Iterable[LedgerEvent], live: Iterable[LedgerEvent]
) -> Iterator[LedgerEvent]:
    """One account's whole log, in seq order: the archived events, then the live ones; a live
    snapshot is dropped when the archive holds its seq (the real event), kept otherwise (then
    ``fold`` starts from it). An event in both tables (a rerun's overlap) comes once."""
    seen: set[int] = set()
    for event in archived:
        seen.add(event.seq)
        yield event
    for event in live:
        if event.seq not in seen:
            yield event
