"""The two-phase and linked state machine (issue 11 items 1 and 3) on DynamoDB Local.

Rules: pending transfers and holds, full and partial posts, voids, the clock moving past
timeouts, the sweeper, plain debits, linked batches (sometimes with a leg that declines),
resends, and a post racing a void on two ledgers. After every step: money conserved (the sum
of posted balances = what came in - what left), ``available`` = posted - live pending
debits, never below the floor, on every account's head; every pending resolved at most once,
releasing exactly what it reserved; the sweeper's open markers are exactly the open pendings
(``processor.storage.pending_index``); every linked batch all present or (but for its declining
leg) all absent; each account's full fold checks every event invariant; and the projector,
fed the whole log twice, holds read models equal to the log's fold (balances, daily totals
of posted money only, declined index).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from processor.domain.events import PendingPlaced
from processor.domain.outcomes import Outcome
from processor.domain.pending import available_now, pending_debits
from projections.model import fold_all
from projections.reconcile import compare
from tests.customer_support import register
from tests.property import backend as backends

ACCOUNTS = ("A", "B", "F")
FUNDS = 50_000
amounts = st.integers(1, 20_000).map(lambda c: f"{c // 100}.{c % 100:02d}")
pairs = st.permutations(ACCOUNTS).map(lambda p: (p[0], p[1]))
_SETTLED = {"PendingPosted", "PendingVoided", "PendingExpired"}


class PendingMachine(RuleBasedStateMachine):
    #: on the in-memory twins (tests/property/test_twin_machines.py), else on DynamoDB Local
    TWINS: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self.app = backends.machine_app(self.TWINS)
        self.now = datetime(2026, 6, 1, tzinfo=UTC)
        self.ledger = replace(self.app.ledger, clock=self.clock)
        self.other = replace(self.app.ledger, clock=self.clock, cache_heads=False)
        # a third process with a head cache of its own: it may place a hold, or resolve a
        # pending another ledger placed, on heads it cached before (they must be re-read)
        self.third = replace(self.app.ledger, clock=self.clock)
        self.n = 0
        self.pendings: list[str] = []
        #: the pendings placed and not yet settled, with the instant they expire
        self.open_until: dict[str, datetime] = {}
        self.batches: list[tuple[str, list[str]]] = []

    def clock(self) -> datetime:
        return self.now

    def txn(self) -> str:
        self.n += 1
        return f"X{self.n:04d}"

    def submit(self, cmd: dict[str, Any], via_third: bool = False) -> Outcome:
        outcome = (self.third if via_third else self.ledger).submit_raw(cmd)
        assert outcome.status != "failed", outcome
        return outcome

    @initialize()
    def fund(self) -> None:
        register(self.ledger, "C1")
        for account in ACCOUNTS:
            self.submit({"type": "open_account", "account_id": account, "customer_id": "C1"})
        self.submit({"type": "credit", "txn_id": "F0", "account_id": "A", "amount": "500.00"})

    @rule(pair=pairs, amount=amounts, timeout=st.sampled_from([60, 600, 3600]))
    def place_transfer(self, pair: tuple[str, str], amount: str, timeout: int) -> None:
        note_event("rule: place_transfer")
        txn = self.txn()
        outcome = self.submit(
            {"type": "transfer", "txn_id": txn, "from_account": pair[0], "to_account": pair[1],
             "amount": amount, "pending": True, "timeout_s": timeout}
        )  # fmt: skip
        full = outcome.status == "rejected" and "post or void some" in (outcome.error or "")
        assert outcome.status in {"pending", "declined"} or full, outcome  # or a pool is full
        if outcome.status == "pending":
            self.pendings.append(txn)
            self.open_until[txn] = self.now + timedelta(seconds=timeout)

    @rule(account=st.sampled_from(ACCOUNTS), amount=amounts, debit=st.booleans(),
          via_third=st.booleans())  # fmt: skip
    def place_hold(self, account: str, amount: str, debit: bool, via_third: bool) -> None:
        note_event("rule: place_hold")
        txn = self.txn()
        kind = "debit" if debit else "credit"
        outcome = self.submit(
            {"type": kind, "txn_id": txn, "account_id": account, "amount": amount,
             "pending": True, "timeout_s": 600},
            via_third,
        )  # fmt: skip
        if outcome.status == "pending":
            self.pendings.append(txn)
            self.open_until[txn] = self.now + timedelta(seconds=600)

    @precondition(lambda self: bool(self.pendings))
    @rule(data=st.data(), void=st.booleans(), part=st.sampled_from([None, "0.01", "1.00"]),
          via_third=st.booleans())  # fmt: skip
    def resolve(self, data: st.DataObject, void: bool, part: str | None, via_third: bool) -> None:
        note_event("rule: resolve")
        pending = data.draw(st.sampled_from(self.pendings))
        cmd: dict[str, Any] = {"txn_id": self.txn(), "pending_txn_id": pending}
        if void:
            cmd["type"] = "void_pending"
        else:
            cmd |= {"type": "post_pending"} | ({"amount": part} if part else {})
        live = self.now < self.open_until.get(pending, self.now)
        outcome = self.submit(cmd, via_third)
        assert outcome.status in {"posted", "voided", "rejected"}, outcome
        if live and part is None:  # whichever ledger placed it, on whatever heads it cached
            assert outcome.status != "rejected", ("an open pending refused", pending, outcome)
        if outcome.status != "rejected":
            self.open_until.pop(pending, None)
        if outcome.status == "rejected":
            assert self.ledger.store.idempotency_record(cmd["txn_id"]) is None

    @rule(account=st.sampled_from(ACCOUNTS), amount=amounts, void=st.booleans())
    def resolve_on_another_process(self, account: str, amount: str, void: bool) -> None:
        """The third process caches the account's head (a credit), another places a hold on
        it, and the third resolves that hold: it must judge on fresh heads, never refuse an
        open pending because its cache predates it."""
        note_event("rule: resolve_on_another_process")
        cmd = {"type": "credit", "txn_id": self.txn(), "account_id": account, "amount": "0.01"}
        assert self.submit(cmd, via_third=True).status == "approved"
        txn = self.txn()
        placed = self.submit(
            {"type": "credit", "txn_id": txn, "account_id": account, "amount": amount,
             "pending": True, "timeout_s": 600}
        )  # fmt: skip
        if placed.status != "pending":  # the account's pool of pendings is full
            return
        self.pendings.append(txn)
        kind = "void_pending" if void else "post_pending"
        resolution = {"type": kind, "txn_id": self.txn(), "pending_txn_id": txn}
        outcome = self.submit(resolution, via_third=True)
        assert outcome.status == ("voided" if void else "posted"), (txn, outcome)

    @precondition(lambda self: bool(self.pendings))
    @rule(data=st.data())
    def post_races_void(self, data: st.DataObject) -> None:
        """Two ledgers (one without a head cache) resolve one pending at once."""
        note_event("rule: post_races_void")
        pending = data.draw(st.sampled_from(self.pendings))
        results: list[str] = []
        post = {"type": "post_pending", "txn_id": self.txn(), "pending_txn_id": pending}
        void = {"type": "void_pending", "txn_id": self.txn(), "pending_txn_id": pending}
        commands = [(self.ledger, post), (self.other, void)]

        def run(ledger: Any, cmd: dict[str, Any]) -> None:
            results.append(ledger.submit_raw(cmd).status)

        threads = [threading.Thread(target=run, args=pair) for pair in commands]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert Counter(s for s in results if s != "rejected").total() <= 1, results
        if any(s != "rejected" for s in results):
            self.open_until.pop(pending, None)

    @rule(seconds=st.sampled_from([30, 120, 900, 4000]))
    def time_passes(self, seconds: int) -> None:
        note_event("rule: time_passes")
        self.now += timedelta(seconds=seconds)

    @rule()
    def sweep(self) -> None:
        note_event("rule: sweep")
        self.ledger.expire_pending()
        assert self.ledger.expire_pending() == []  # idempotent
        self.open_until = {t: at for t, at in self.open_until.items() if at > self.now}

    @rule(account=st.sampled_from(ACCOUNTS), amount=amounts)
    def debit(self, account: str, amount: str) -> None:
        note_event("rule: debit")
        self.submit(
            {"type": "debit", "txn_id": self.txn(), "account_id": account, "amount": amount}
        )

    @rule(legs=st.lists(st.tuples(pairs, amounts), min_size=1, max_size=4))
    def linked(self, legs: list[tuple[tuple[str, str], str]]) -> None:
        note_event("rule: linked")
        batch, ids = self.txn(), [self.txn() for _ in legs]
        cmd = {
            "type": "linked",
            "txn_id": batch,
            "legs": [
                {"type": "transfer", "txn_id": i, "from_account": s, "to_account": t, "amount": a}
                for i, ((s, t), a) in zip(ids, legs, strict=True)
            ],
        }
        outcome = self.submit(cmd)
        assert outcome.status in {"approved", "declined"}, outcome
        self.batches.append((batch, ids))
        assert self.submit(cmd).status == "duplicate"

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def money_conserved_and_available_within_the_floor(self) -> None:
        events = list(self.app.event_store.all_events())
        net = sum(
            (e.amount if e.kind == "credit" else -e.amount)
            for e in events
            if e.approved and e.kind in {"credit", "debit"}
        )
        states = [self.app.event_store.state(a) for a in ACCOUNTS]
        assert sum(s.balance for s in states if s is not None) == net
        for state in states:
            if state is None:
                continue
            room = available_now(state, self.now)  # the default floor: 0, no overdraft
            assert room == state.balance - pending_debits(state, self.now) >= 0, state

    @invariant()
    def each_pending_resolves_once_and_releases_what_it_held(self) -> None:
        events = list(self.app.event_store.all_events())
        held = {(e.account_id, e.pending_txn_id): e.amount for e in events
                if isinstance(e, PendingPlaced)}  # fmt: skip
        settled: Counter[tuple[str, str]] = Counter()
        for event in events:
            key = (event.account_id, getattr(event, "pending_txn_id", ""))
            if event.event_type in {"PendingPosted", "PendingVoided", "PendingExpired"}:
                settled[key] += 1
                assert event.amount + getattr(event, "released", 0) == held[key], event
        assert all(count == 1 for count in settled.values()), settled

    @invariant()
    def open_markers_are_the_open_pendings(self) -> None:
        """The sweeper's index (``processor.storage.pending_index``) lists exactly the pendings
        placed and not yet resolved, each with its accounts."""
        events = list(self.app.event_store.all_events())
        placed: dict[str, set[str]] = {}
        for event in events:
            if isinstance(event, PendingPlaced):
                placed.setdefault(event.pending_txn_id, set()).add(event.account_id)
        resolved = {getattr(e, "pending_txn_id", "") for e in events if e.event_type in _SETTLED}
        open_ = {t: tuple(sorted(a)) for t, a in placed.items() if t not in resolved}
        markers = self.app.event_store.expired_pendings(datetime.max.replace(tzinfo=UTC))
        assert {m.pending_txn_id: m.accounts for m in markers} == open_

    @invariant()
    def linked_batches_are_all_or_nothing(self) -> None:
        written = Counter(e.txn_id for e in self.app.event_store.all_events())
        for batch, ids in self.batches:
            outcome = self.ledger.store.idempotency_record(batch)
            assert outcome is not None
            present = [i for i in ids if written[i]]
            if outcome.outcome.status == "approved":
                assert present == ids
            else:
                assert len(present) == 1 and outcome.outcome.declined_leg is not None
                assert present == [ids[outcome.outcome.declined_leg]]

    @invariant()
    def folds_and_projections_agree(self) -> None:
        for account in ACCOUNTS:
            self.app.event_store.replay(account)  # raises on any broken event invariant
        events = list(self.app.event_store.all_events())
        self.app.projector.project(events)
        self.app.projector.project(events[::-1])  # redelivered, reordered: no effect
        mismatches = compare(fold_all(events), self.app.views.snapshot()).mismatches
        assert not mismatches, mismatches

    def teardown(self) -> None:
        backends.close(self.app)
