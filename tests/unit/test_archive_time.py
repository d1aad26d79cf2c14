"""Archival counts the retention from when the ledger recorded an event, not from the date a
client gave it: a legacy event dated 2099 no longer holds its account's history live for
ever, and an event backdated into an old year is kept its full retention from today."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from processor.domain.archive import old_prefix
from processor.domain.events import AccountOpened, FundsCredited, LedgerEvent
from processor.services.archiver import Archiver
from processor.storage.archive_memory import MemoryArchiveStore

CUT = date(2019, 1, 1)


def at(year: int) -> datetime:
    return datetime(year, 3, 1, tzinfo=UTC)


def stream(*dated: tuple[int, int | None]) -> list[LedgerEvent]:
    """An opening in 2011, then credits of 1.00 (occurred year, recorded year or None)."""
    events: list[LedgerEvent] = [
        AccountOpened(
            account_id="A",
            seq=0,
            txn_id="open#A",
            currency="USD",
            amount=0,
            balance_after=0,
            occurred_at=at(2011),
            customer_id="C1",
        )
    ]
    for seq, (occurred, recorded) in enumerate(dated, start=1):
        events.append(
            FundsCredited(
                account_id="A",
                seq=seq,
                txn_id=f"T{seq}",
                currency="USD",
                amount=100,
                balance_after=100 * seq,
                occurred_at=at(occurred),
                recorded_at=None if recorded is None else at(recorded),
            )
        )
    return events


def test_given_an_event_dated_2099_recorded_long_ago_then_it_is_archived() -> None:
    events = stream((2012, 2012), (2099, 2013), (2014, 2014), (2024, 2024))
    assert [e.seq for e in old_prefix(events, CUT)] == [0, 1, 2, 3]


def test_given_an_event_backdated_into_an_old_year_then_it_stays_live() -> None:
    events = stream((2012, 2012), (2011, 2025), (2013, 2025))
    assert [e.seq for e in old_prefix(events, CUT)] == [0, 1]


def test_given_events_without_recorded_at_then_their_date_counts() -> None:
    assert [e.seq for e in old_prefix(stream((2012, None), (2020, None)), CUT)] == [0, 1]


class Log:
    """What ``Archiver.candidates`` reads: every live event (one scan)."""

    def __init__(self, events: list[LedgerEvent]) -> None:
        self.events = events

    def all_events(self) -> list[LedgerEvent]:
        return self.events


def test_given_only_recent_records_then_the_archiver_has_no_candidate() -> None:
    backdated = stream((2011, 2025))[1:]  # an old date, recorded last year
    legacy = [replace(e, account_id="B") for e in stream((2099, 2012))[1:]]
    archiver = Archiver(Log([*backdated, *legacy]), MemoryArchiveStore())  # type: ignore[arg-type]
    assert archiver.candidates(CUT) == ["B"]
