"""The projector: applies delivered events to the read models, exactly once in effect.

For each account of a batch, one guarded write (``ViewStore.apply``) per contiguous run
(chunked at ``max_items`` items) holds: the balance item's guarded update (``applied_seq =
n-1``, or the item absent for a new account) + the coalesced daily-total ADDs + the
declined-index puts. The daily totals and the declined index therefore move exactly when, and
only when, the balance guard moves: a redelivered event is at or below the guard and is
skipped; a gap is healed from the event log before anything later is applied. ``project``
raises only when the backend fails (the whole batch must be retried); events it could not
apply are returned in ``failed``.

This module holds the rules only; the view store (``projections.ports``) does the writing and
reports a moved guard or a conflicting transaction as ``GuardMoved`` / ``GuardConflict``.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from acme_base.errors import ContentionExhausted
from acme_base.retry import Backoff
from processor.domain.events import LedgerEvent
from processor.storage.ports import EventReader
from projections.config import ProjectorConfig
from projections.plan import (
    AccountBatch,
    Chunk,
    Fetch,
    GapNotHealable,
    chunk_run,
    plan_run,
    split_batch,
)
from projections.ports import GuardConflict, GuardMoved, ViewStore

DEFAULT_CONFIG = ProjectorConfig()


@dataclass
class ProjectionResult:
    failed: frozenset[tuple[str, int]] = frozenset()
    events_applied: int = 0
    duplicates_skipped: int = 0
    gaps_healed: int = 0
    items_written: int = 0
    transactions: int = 0
    write_units: float = 0.0
    guard_retries: int = 0

    def merge(self, other: ProjectionResult) -> ProjectionResult:
        return ProjectionResult(
            self.failed | other.failed,
            *(getattr(self, f) + getattr(other, f) for f in _COUNTERS),
        )

    def as_dict(self) -> dict[str, Any]:
        return {"failed": sorted(self.failed), **{f: getattr(self, f) for f in _COUNTERS}}


_COUNTERS = (
    "events_applied",
    "duplicates_skipped",
    "gaps_healed",
    "items_written",
    "transactions",
    "write_units",
    "guard_retries",
)


@dataclass
class _Progress:
    applied: set[int] = field(default_factory=set)
    items: int = 0
    transactions: int = 0
    units: float = 0.0
    retries: int = 0


class Projector:
    """Project batches of ledger events into the read models (see the module docstring)."""

    def __init__(
        self, views: ViewStore, events: EventReader, config: ProjectorConfig = DEFAULT_CONFIG
    ) -> None:
        self.views = views
        self.events = events
        self.config = config
        self.backoff = Backoff(max_attempts=config.max_attempts, base_delay=0.005, max_delay=0.2)
        self._guess: dict[str, int] = {}  # last applied_seq we wrote or read, per account

    def project(self, events: Sequence[LedgerEvent]) -> ProjectionResult:
        """Apply a delivered batch; raise only if the backend failed (retry the batch)."""
        batches = split_batch(events)
        workers = self.config.workers  # accounts of one batch in parallel (own items each)
        if workers > 1 and len(batches) > 1:
            with ThreadPoolExecutor(max_workers=min(workers, len(batches))) as pool:
                parts = list(pool.map(self._project_one, batches))
        else:
            parts = [self._project_one(batch) for batch in batches]
        result = ProjectionResult()
        for part in parts:
            result = result.merge(part)
        return result

    def _project_one(self, batch: AccountBatch) -> ProjectionResult:
        progress = _Progress()
        lost: set[int] = set()
        try:
            self._project_account(batch, progress)
        except (GapNotHealable, ContentionExhausted):
            lost = {e.seq for e in batch.events if e.seq not in progress.applied}
            self._guess.pop(batch.account_id, None)
        delivered = {e.seq for e in batch.events}
        return ProjectionResult(
            failed=frozenset((batch.account_id, seq) for seq in lost),
            events_applied=len(progress.applied),
            duplicates_skipped=batch.repeats + len(delivered - progress.applied - lost),
            gaps_healed=len(progress.applied - delivered),
            items_written=progress.items,
            transactions=progress.transactions,
            write_units=progress.units,
            guard_retries=progress.retries,
        )

    # --- one account ----------------------------------------------------------------------

    def _project_account(self, batch: AccountBatch, progress: _Progress) -> None:
        account = batch.account_id
        verified = False
        for attempt in self.backoff.attempts():
            applied = self._guess.get(account)
            if applied is None:  # assume in-order delivery; the guard checks the assumption
                applied = batch.events[0].seq - 1
            run = plan_run(applied, batch.events, self._fetcher(account))
            if run.skipped and not verified:  # never skip on a guess: confirm by reading
                self._read_guard(account)
                verified = True
                continue
            try:
                for chunk in chunk_run(account, run, self.config.coalesce, self.config.max_items):
                    self._write(chunk, progress)
                return
            except GuardMoved as moved:
                progress.retries += 1
                if moved.applied_seq is None:
                    self._read_guard(account)
                else:
                    self._guess[account] = moved.applied_seq
                verified = True
            except GuardConflict:
                progress.retries += 1
                self.backoff.sleep(attempt)
        raise ContentionExhausted(f"projection of {account}: guard kept moving")

    def _read_guard(self, account: str) -> None:
        view = self.views.balance(account)
        self._guess[account] = view.applied_seq if view else -1

    def _fetcher(self, account: str) -> Fetch:
        def fetch(lo: int, hi: int) -> list[LedgerEvent]:
            return list(self.events.events(account, lo, hi))

        return fetch

    def _write(self, chunk: Chunk, progress: _Progress) -> None:
        units = self.views.apply(chunk)
        progress.applied |= {e.seq for e in chunk.events}
        progress.items += chunk.items
        progress.transactions += 1
        progress.units += units
        self._guess[chunk.account_id] = chunk.last_seq
