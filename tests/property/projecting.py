"""The read side in the state machine: the real projector fed by a faulty simulated stream,
the real stream poller (with a crash before its checkpoint), and a backend restart. On the
twins (``TWINS = True``) the projector writes the in-memory view store; the stream poller
(DynamoDB Streams) and the restart run on DynamoDB Local only.

Invariants (after every step, not only after drains), computed by an independent fold:

- *consistent prefix*: for every account, the balance view equals the fold of the account's
  events up to its ``applied_seq`` (never beyond the log's head), and the daily totals and the
  declined index equal the sums / the set over exactly those applied events (they move in the
  same transaction as the balance guard, so no fault may split them); the daily totals per
  (date, currency): accounts are opened in USD and EUR, and the totals of each currency are
  those of its own events;
- after a drain: ``applied_seq`` is every account's head, i.e. every projection equals the fold
  of the whole event log, the declined GSI answers exactly the declined events, and the
  product's own ``reconcile`` agrees.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from typing import Any
from unittest import mock

from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from acme_base.errors import BackendError
from acme_txn.bootstrap import App, bootstrap
from processor.domain.events import DeclineReason, LedgerEvent
from tests.property import backend as backends
from tests.property.faults import failing, injected
from tests.property.machine import LedgerMachine
from tests.property.read_models import Views, fold_views

try:  # the read side is built in parallel with this suite; the write side runs without it
    from projections.reconcile import reconcile

    HAVE_PROJECTOR = True
except ImportError:  # pragma: no cover - only before projections/ exists
    HAVE_PROJECTOR = False

try:
    from streams import worker as stream_worker

    HAVE_POLLER = True
except ImportError:  # pragma: no cover - only before streams/ exists
    HAVE_POLLER = False


class _Crash(BaseException):
    """A consumer process dying (not an exception any handler should catch)."""


@contextlib.contextmanager
def crash_before_checkpoint() -> Iterator[dict[str, int]]:
    """Kill the poller at its first checkpoint that follows a delivery to the projections."""
    seen = {"deliveries": 0, "crashes": 0}
    real_deliver, real_save = stream_worker.ShardWorker._deliver, stream_worker.ShardWorker._save

    def deliver(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen["deliveries"] += 1
        return real_deliver(self, *args, **kwargs)

    def save(self: Any, *args: Any, **kwargs: Any) -> Any:
        if seen["deliveries"] and not seen["crashes"]:
            seen["crashes"] += 1
            raise _Crash()
        return real_save(self, *args, **kwargs)

    with (
        mock.patch.object(stream_worker.ShardWorker, "_deliver", deliver),
        mock.patch.object(stream_worker.ShardWorker, "_save", save),
    ):
        yield seen


class ProjectingLedgerMachine(LedgerMachine):
    """The write side plus the projector under duplicate, reordered and failed deliveries."""

    def __init__(self) -> None:
        super().__init__()
        self.stream: list[LedgerEvent] = []
        self.on_stream: set[tuple[str, int]] = set()
        self.checkpoint = 0
        self.poller_drains = 0
        self.projector = self._new_projector()

    def _new_projector(self) -> Any:
        """A projector process starting from nothing but the tables (no in-memory state)."""
        if self.TWINS:
            return bootstrap(
                self.settings, memory=True, event_store=self.store, views=self.app.views
            ).projector
        return bootstrap(self.settings).projector

    def _read_side(self) -> App:
        """The views and the event log through the machine's own client."""
        if self.TWINS:
            return self.app
        return bootstrap(self.settings, dynamodb=self.client)

    def _projector_throttling(self, persistent: bool, after: int) -> Any:
        """Throttling of the projector's writes: botocore's hooks on its client, or (twins:
        persistent only, there is no retry loop to absorb a transient one) its view store's
        ``apply`` raising ``Throttled``."""
        if self.TWINS:
            times = None if persistent else 0
            return failing(self.projector.views, ("apply",), times, after=after)
        client = self.projector.views.client
        times = None if persistent else 1
        return injected(client, "TransactWriteItems", times, transient=not persistent, after=after)

    def _sync_stream(self) -> None:
        """Append events written since the last look: seq order per account, the accounts
        interleaved round robin (as concurrent writers interleave on a real stream)."""
        per_account: dict[str, list[LedgerEvent]] = defaultdict(list)
        for event in self.scan_events():
            if (event.account_id, event.seq) not in self.on_stream:
                per_account[event.account_id].append(event)
        queues = [q for _, q in sorted(per_account.items())]
        while any(queues):
            for queue in queues:
                if queue:
                    event = queue.pop(0)
                    self.on_stream.add((event.account_id, event.seq))
                    self.stream.append(event)

    def _project(self, batch: list[LedgerEvent]) -> None:
        result = self.projector.project(batch)
        assert not result.failed, f"projector could not apply {sorted(result.failed)}"

    # --- rules -------------------------------------------------------------------------------

    @initialize()
    def open_two_accounts(self) -> None:
        """A1 and A2 in USD (the ledger machine's), and A3 in EUR: every run has money in two
        currencies, so daily totals that added one currency's minor units to another's show
        (``open_account`` may still open A4 in either)."""
        LedgerMachine.open_two_accounts(self)
        self.open_account("A3", "C2", "EUR")

    @rule(
        size=st.integers(1, 8),
        dup=st.booleans(),
        reorder=st.booleans(),
        crash=st.booleans(),
        data=st.data(),
    )
    def deliver(
        self, size: int, dup: bool, reorder: bool, crash: bool, data: st.DataObject
    ) -> None:
        """The next batch, maybe with redelivered records and shuffled; maybe the consumer dies
        after the projection write and before its checkpoint (the batch comes again)."""
        note_event("rule: deliver")
        self._sync_stream()
        pending = self.stream[self.checkpoint : self.checkpoint + size]
        if not pending:
            return
        batch = list(pending)
        if dup:
            seen = self.stream[: self.checkpoint + len(pending)]
            batch += data.draw(st.lists(st.sampled_from(seen), min_size=1, max_size=4))
        if reorder:
            batch = data.draw(st.permutations(batch))
        self._project(batch)
        if crash:
            self.projector = self._new_projector()
        else:
            self.checkpoint += len(pending)

    @rule(data=st.data())
    def deliver_later_records_first(self, data: st.DataObject) -> None:
        """Some later records overtake earlier ones (reordering across batches, or records of
        one transaction surfacing out of order): each account's gap must be healed from the
        event table. The skipped records still come later, as duplicates."""
        self._sync_stream()
        pending = self.stream[self.checkpoint :]
        later = [
            e
            for e in pending
            if any(p.account_id == e.account_id and p.seq < e.seq for p in pending)
        ]
        if later:
            chosen = data.draw(st.lists(st.sampled_from(later), min_size=1, max_size=4))
            note_event("delivered a record ahead of a gap")
            self._project(chosen)

    @rule(persistent=st.booleans(), size=st.integers(1, 8), after=st.integers(0, 2))
    def deliver_throttled(self, persistent: bool, size: int, after: int) -> None:
        """ProvisionedThroughputExceeded on the projector's TransactWriteItems: once (retried
        by botocore: the batch goes through) or from the (after+1)-th write on (the batch
        fails midway; the consumer dies and the batch is redelivered later)."""
        note_event("rule: deliver_throttled")
        self._sync_stream()
        pending = self.stream[self.checkpoint : self.checkpoint + size]
        if not pending:
            return
        try:
            with self._projector_throttling(persistent, after):
                self._project(pending)
        except BackendError as exc:
            assert persistent and "throttl" in str(exc).lower(), exc
            note_event("projector batch failed midway (throttled)")
            self.projector = self._new_projector()
            return
        self.checkpoint += len(pending)

    @rule(batch_size=st.integers(2, 12))
    def drain(self, batch_size: int) -> None:
        """Deliver everything outstanding; then every projection equals the fold of the log."""
        note_event("rule: drain")
        self._sync_stream()
        while self.checkpoint < len(self.stream):
            self._project(self.stream[self.checkpoint : self.checkpoint + batch_size])
            self.checkpoint += batch_size
        self.checkpoint = len(self.stream)
        self.check_drained()

    @precondition(lambda self: HAVE_POLLER and not self.TWINS and self.poller_drains < 2)
    @rule(crash=st.booleans())
    def drain_via_stream_poller(self, crash: bool) -> None:
        """The real stream poller (`acme-txn project --until-idle`), maybe killed after a
        projection write and before its checkpoint; a fresh poller then drains to idle."""
        note_event("rule: drain_via_stream_poller")
        self.poller_drains += 1
        if crash:
            with crash_before_checkpoint() as seen, contextlib.suppress(_Crash):
                bootstrap(self.settings).poller().run(until_idle=True, max_seconds=60)
            assert seen["crashes"] <= 1
            note_event(f"poller crashed after a projection write: {bool(seen['crashes'])}")
        for _ in range(5):  # a bound against hanging, not a timing assertion: ~5 min in all
            result = bootstrap(self.settings).poller().run(until_idle=True, max_seconds=60)
            if result.idle:
                break
        assert result.idle, f"the poller never reached idle: {result.as_dict()}"
        self.check_drained()

    # --- invariants --------------------------------------------------------------------------

    def views(self) -> Views:
        snap = self._read_side().views.snapshot()
        balances = {a: (v.balance, v.applied_seq) for a, v in snap.balances.items()}
        daily = {k: t.as_dict() for k, t in snap.daily.items() if not t.empty}
        declined = {k: (e.txn_id, e.reason, e.amount, e.txn_date) for k, e in snap.declined.items()}
        return balances, daily, declined

    def check_prefix(self) -> list[LedgerEvent]:
        events = self.scan_events()
        balances, daily, declined = self.views()
        heads = {e.account_id: e.seq for e in events}
        for account, (_, applied) in balances.items():
            assert account in heads and applied <= heads[account], (account, applied, heads)
        applied_events = [e for e in events if e.seq <= balances.get(e.account_id, (0, -1))[1]]
        want_balances, want_daily, want_declined = fold_views(applied_events)
        assert balances == want_balances, ("balances", balances, want_balances)
        for event in applied_events:
            if event.seq == balances[event.account_id][1]:
                assert balances[event.account_id][0] == event.balance_after
        assert daily == want_daily, ("daily totals", daily, want_daily)
        assert declined == want_declined, ("declined index", declined, want_declined)
        return events

    def check_drained(self) -> None:
        events = self.check_prefix()
        balances, _, declined = self.views()
        heads = {e.account_id: e.seq for e in events}
        assert {a: s for a, (_, s) in balances.items()} == heads, ("not drained", balances, heads)
        dates = sorted({e.txn_date for e in events})
        via_gsi = {  # one query per reason of the closed enum, merged (seed iteration 6)
            (x.account_id, x.seq)
            for reason in DeclineReason
            for x in self._read_side().views.declined(reason.value, dates[0], dates[-1])
        }
        assert via_gsi == set(declined), ("declined GSI", via_gsi, set(declined))
        read_side = self._read_side()
        by_query = {  # the reports' read path: one Query per day and shard, every currency
            (day, code): totals.as_dict()
            for day, per in read_side.views.daily_by_currency(dates).items()
            for code, totals in per.items()
            if not totals.empty
        }
        assert by_query == fold_views(events)[1], ("daily totals per currency", by_query)
        rec = reconcile(read_side.event_store, read_side.views)
        assert rec.ok, [m.line() for m in rec.mismatches]

    @invariant()
    def views_hold_a_consistent_prefix(self) -> None:
        """After every step: each read model = the fold of the events it claims to have
        applied (balance guard, daily totals and declined index never drift apart)."""
        self.check_prefix()


class RestartingLedgerMachine(ProjectingLedgerMachine):
    """Everything above, on a DynamoDB Local with a data dir that can be restarted."""

    @precondition(
        lambda self: self.backend.restartable and self.backend.restarts == self._restarts_before
    )
    @rule()
    def restart_backend(self) -> None:
        """Stop DynamoDB Local and start it again on the same data dir: nothing is lost,
        duplicates are still recognised, and projections carry on."""
        note_event("rule: restart_backend")
        before_events = self.scan_events()
        before_views = self.views()
        self.backend.restart()
        self.teardown()
        self._connect()
        self.projector = self._new_projector()
        assert self.scan_events() == before_events, "events lost in a restart"
        assert self.views() == before_views, "read models changed in a restart"

    def __init__(self) -> None:
        super().__init__()
        self._restarts_before = backends.current().restarts


__all__ = [
    "HAVE_POLLER",
    "HAVE_PROJECTOR",
    "ProjectingLedgerMachine",
    "RestartingLedgerMachine",
    "fold_views",
]
