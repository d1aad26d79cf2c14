"""Archival after 7 years, the service: ``Archiver.run`` moves old events to the archive
table, and ``HistoryReader`` reads archive + live as one log (reconcile, rebuild, and the
projector's gap healing use it). The rules are in ``processor.domain.archive`` (pure).

Per account, in this order (the order is the crash safety):

1. read the live prefix of events older than the cut (a paginated read stops at the first
   younger event) and ``fold`` it: a broken stream is never archived;
2. put those events into the archive (idempotent: equal ones are skipped, never
   overwritten), then check that archive + live fold to the prefix's state at the cut, so
   nothing is deleted that the archive does not hold;
3. apply the cut's steps on the ledger, each one atomic (conditional deletes + the
   snapshot), each leaving a valid live stream.

A crash after any write leaves events in the archive that may also be live (readers merge
them: ``processor.domain.archive.merge_history``) and a live stream cut at some earlier step; a
rerun
reads afresh, writes only what is missing and carries on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from acme_base.errors import AcmeError, InvariantViolation
from processor.domain.archive import (
    MAX_STEP_ACTIONS,
    archival_time,
    cut_instant,
    is_snapshot,
    merge_history,
    old_prefix,
    plan_cut,
)
from processor.domain.decide import AccountState, fold
from processor.domain.events import LedgerEvent
from processor.domain.money import format_minor
from processor.storage.archive_ports import ArchivableStore, ArchiveStore
from processor.storage.ports import EventReader


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ArchiveReport:
    """What a run did (``acme-txn archive --json`` prints ``as_dict``)."""

    before: date
    accounts_scanned: int = 0
    accounts: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    events_written: int = 0
    items_removed: int = 0
    steps: int = 0
    dry_run: bool = False  # nothing was written: ``accounts`` is what would be archived

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "before": self.before.isoformat(),
            "accounts_scanned": self.accounts_scanned,
            "accounts_archived": len(self.accounts),
            "events_archived": sum(a["archived_events"] for a in self.accounts),
            "events_written_to_archive": self.events_written,
            "live_items_removed": self.items_removed,
            "transactions": self.steps,
            "accounts": self.accounts,
            "failed": self.failed,
        }


@dataclass
class Archiver:
    """Moves events older than a cut date from the ledger to the archive (see above)."""

    store: ArchivableStore
    archive: ArchiveStore
    clock: Callable[[], datetime] = _now
    step_actions: int = MAX_STEP_ACTIONS  # actions per cut transaction (tests use fewer)

    def candidates(self, before: date) -> list[str]:
        """Accounts with an event older than ``before`` (one scan of the ledger)."""
        limit = cut_instant(before)
        events = self.store.all_events()
        return sorted({e.account_id for e in events if archival_time(e) < limit})

    def run(
        self, before: date, accounts: Sequence[str] | None = None, *, dry_run: bool = False
    ) -> ArchiveReport:
        """Archive each chosen account's old prefix; ``dry_run``: report what would be
        archived (the same plan), writing nothing."""
        report = ArchiveReport(before, dry_run=dry_run)
        chosen = list(accounts) if accounts is not None else self.candidates(before)
        for account in chosen:
            report.accounts_scanned += 1
            try:
                self._archive_account(account, before, report)
            except AcmeError as exc:  # a conflict, a broken stream, a backend error...
                report.failed.append({"account_id": account, "error": str(exc)})
        return report

    def _archive_account(self, account: str, before: date, report: ArchiveReport) -> None:
        prefix = old_prefix(self.store.events(account), before)
        cut = plan_cut(prefix, before, self.clock(), self.step_actions)
        if cut is None:
            return
        at_cut = fold(prefix)  # raises InvariantViolation on a broken stream
        assert at_cut is not None  # the prefix is not empty
        if not report.dry_run:
            report.events_written += self.archive.put(cut.to_archive)
            self._check_archive(account, prefix, at_cut)
            for step in cut.steps:
                self.store.cut_history(step)
                report.steps += 1
                report.items_removed += len(step.deleted) + 1
        report.accounts.append(
            {
                "account_id": account,
                "seq": cut.seq,
                "archived_events": cut.seq + 1,
                "balance": format_minor(at_cut.balance, at_cut.currency),
                "currency": at_cut.currency,
            }
        )

    def _check_archive(
        self, account: str, prefix: Sequence[LedgerEvent], at_cut: AccountState
    ) -> None:
        """Archive + live must fold to the live prefix's state before anything is removed."""
        top = prefix[-1].seq
        archived = self.archive.events(account, 0, top)
        merged = fold(e for e in merge_history(archived, prefix) if not is_snapshot(e))
        if merged is None or states_differ(merged, at_cut):
            raise InvariantViolation(
                f"{account}: the archive does not hold events 0..{top} (fold {merged}, "
                f"live {at_cut}); nothing was removed"
            )


def states_differ(a: AccountState, b: AccountState) -> bool:
    """The archive's fold and the live prefix's differ in any field of the state (balance,
    closed, blocked, limits, open holds, currency, customer, opening time), not just the
    balance. ``opened_at`` is left out of the state's equality (a state read from a head may
    not know it), so it is compared here on its own."""
    return a != b or a.opened_at != b.opened_at


@dataclass
class HistoryReader:
    """``processor.storage.ports.EventReader`` over archive + live: the whole log, as if nothing had
    been archived (a live snapshot appears only if the archive lacks its seq)."""

    live: EventReader
    archive: ArchiveStore

    def events(
        self, account_id: str, from_seq: int = 0, to_seq: int | None = None
    ) -> Iterator[LedgerEvent]:
        live = list(self.live.events(account_id, from_seq, to_seq))
        if live and live[0].seq == from_seq and not is_snapshot(live[0]):
            yield from live  # nothing archived in the range: no archive read
            return
        yield from merge_history(self.archive.events(account_id, from_seq, to_seq), live)

    def all_events(self) -> Iterator[LedgerEvent]:
        archived = list(self.archive.all_events())
        keys = {(e.account_id, e.seq) for e in archived}
        yield from archived
        yield from (e for e in self.live.all_events() if (e.account_id, e.seq) not in keys)

    def replay(self, account_id: str) -> AccountState | None:
        return fold(self.events(account_id))


def archived_count(events: Iterable[LedgerEvent]) -> int:
    """How many events a live stream's first snapshot stands for (0: none archived)."""
    for event in events:
        return event.seq + 1 if is_snapshot(event) else 0
    return 0
