"""The nemesis fast lane: a hypothesis state machine driving the real ledger, the real
poller and workers and the real consumers (projections, fraud, apps) on the in-memory twins,
while faults land between and inside their steps.

Faults (rules): a consumer run that dies at a step boundary (``mid_batch``: half the batch
handled; ``before_checkpoint``: the handler done, the checkpoint not written;
``after_checkpoint``), its holder then provably dead (taken over at once) or not (its lease
waited out); a consumer that stalls past its lease while a second one takes the shard over,
then wakes up; a write whose response is lost (the client resends the same command); appends,
projection writes and checkpoints throttled; the clock jumping forward.

Invariants, after every step:

- each event is projected exactly once: every balance view equals the ledger's balance after
  the event at its ``applied_seq`` (a double or skipped application could not), and after a
  drain ``applied_seq`` is the head;
- loyalty members equal the fold of their log up to the view's seq (once, in order);
- no fraud alert is raised twice (one alert per rule, account and evidence);
- every command is in the log at most once, and money is conserved per currency: the sum of
  the accounts' balances equals approved credits less approved debits (transfers move money
  between accounts of one currency);
- no consumer reports idle while records wait behind a checkpoint (checked on every run).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from acme_base.errors import AcmeError
from apps.loyalty.model import MemberView, fold, member_account
from processor.domain.events import FundsCredited, FundsDebited
from projections.fraud.memory import MemoryFraudStore
from projections.memory import MemoryViewStore
from streams.config import EsmConfig
from streams.lag import backlog
from streams.lease_memory import MemoryLeaseTable
from streams.poller import Poller, RunResult
from streams.worker import Handler
from tests.customer_support import register
from tests.nemesis.twins import (
    Crash,
    CrashPlan,
    FakeClock,
    Faults,
    InstanceLeases,
    days,
    memory_app,
)

KINDS = ("projections", "fraud", "apps")
CRASH_POINTS = ("mid_batch", "before_checkpoint", "after_checkpoint")
ACCOUNTS = {"U1": "USD", "U2": "USD", "U3": "USD", "E1": "EUR", "E2": "EUR"}
USERS = ("u1", "u2")
LEASE = 30.0


class ReportedIdleWithBacklog(AssertionError):
    """A consumer said it was caught up while records waited behind its checkpoint."""


@dataclass
class Sent:
    """What the client sent under one txn id, and the first answer it got."""

    raw: dict[str, Any]
    status: str | None = None


@dataclass
class Model:
    sent: dict[str, Sent] = field(default_factory=dict)
    moved: Counter[str] = field(default_factory=Counter)  # approved credits - debits, minor


class ThrottledViews(MemoryViewStore):
    faults: Faults

    def apply(self, chunk: Any) -> float:
        from acme_base.errors import Throttled

        hit, self.faults.throttle_views = Faults.take(self.faults.throttle_views)
        if hit:
            raise Throttled("injected: projection write throttled")
        return super().apply(chunk)


class NemesisMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.faults = Faults()
        views = ThrottledViews()
        views.faults = self.faults
        self.app, self.source = memory_app(self.clock, self.faults, views)
        self.app.loyalty.sync_projection = False
        self.leases = MemoryLeaseTable()
        self.dead: set[str] = set()  # owners whose process is provably gone
        self.names = itertools.count()
        self.txns = itertools.count()
        self.model = Model()
        self.runs: list[tuple[str, RunResult]] = []

    # --- the product's parts ----------------------------------------------------------------

    def handler(self, kind: str) -> Handler:
        app = self.app
        if kind == "fraud":
            return app.fraud_handler
        sink = app.apps_sink() if kind == "apps" else app.projector_sink()
        return app.stream_handler(sink=sink)

    def cfg(self, kind: str, batch_size: int) -> EsmConfig:
        base = {
            "projections": self.app.options.consumer,
            "fraud": self.app.options.fraud_consumer,
            "apps": self.app.options.apps_consumer,
        }[kind]
        return replace(
            base,
            batch_size=batch_size,
            poll_interval=0.0005,
            retry_backoff=0.01,
            idle_polls=1,
            lease_seconds=LEASE,
            dead_letter=False,
            max_retry_attempts=-1,
        )

    def poller(self, kind: str, plan: CrashPlan, batch_size: int) -> Poller:
        owner = f"nemesis:{kind}:{next(self.names)}"
        return Poller(
            source=self.source,
            handler=plan.handler(self.handler(kind)),
            client=None,
            table="nemesis-streams",
            cfg=self.cfg(kind, batch_size),
            owner=owner,
            clock=self.clock,
            leases=InstanceLeases(self.leases, plan, self.faults),
            is_dead=lambda holder: holder in self.dead,
        )

    def run(self, poller: Poller, until_idle: bool) -> RunResult | None:
        """One consumer process; None when it died (crash, or an error it exits with)."""
        self.clock.tick = 0.05  # time passes while it works: backoffs and leases expire
        try:
            result = poller.run(until_idle=until_idle, max_seconds=20)
        except AcmeError:
            return None  # it exited on a store error (its leases were released)
        finally:
            self.clock.tick = 0.0
        self.runs.append((poller.cfg.consumer, result))
        if result.idle:
            self.assert_nothing_behind(poller.cfg.consumer)
        return result

    def assert_nothing_behind(self, consumer: str) -> None:
        stream = self.source.describe()
        saved = self.leases.open(consumer, stream.label, "observer", LEASE, self.clock).load_all()
        for shard in stream.shards:
            behind, _, _ = backlog(self.source, shard, saved.get(shard.shard_id), 100_000)
            if behind:
                raise ReportedIdleWithBacklog(f"{consumer}: idle with {behind} records behind")

    # --- set-up ---------------------------------------------------------------------------

    @initialize()
    def open_accounts(self) -> None:
        register(self.app.ledger, "C1")
        for account, currency in ACCOUNTS.items():
            outcome = self.app.ledger.submit_raw(
                {
                    "type": "open_account",
                    "account_id": account,
                    "customer_id": "C1",
                    "currency": currency,
                }
            )
            assert outcome.status == "opened", outcome

    # --- the client -----------------------------------------------------------------------

    def send(self, raw: dict[str, Any]) -> None:
        """Submit until an answer comes back (a lost response or a throttle: send again)."""
        txn = raw.get("txn_id") or raw.get("transaction_id")
        for _ in range(10):
            try:
                outcome = (
                    self.app.loyalty.submit(raw)
                    if "transaction_id" in raw
                    else self.app.ledger.submit_raw(raw)
                )
            except AcmeError:
                continue
            if outcome.status == "failed":  # nothing decided (a store error): send again
                continue
            first = self.model.sent.get(str(txn))
            if first is not None and first.raw != raw:  # a conflicting reuse of the txn id
                assert outcome.status == "rejected", (raw, outcome)
                return
            status = outcome.status
            if status == "duplicate":
                status = outcome.original_status or status
            if first is None:
                self.model.sent[str(txn)] = Sent(raw, status)
                if status == "approved" and raw["type"] in ("credit", "debit"):
                    cents = int(Decimal(raw["amount"]) * 100)
                    sign = 1 if raw["type"] == "credit" else -1
                    self.model.moved[ACCOUNTS[raw["account_id"]]] += sign * cents
            else:
                assert status == first.status, (raw, first, outcome)
            return
        raise AssertionError(f"no answer for {raw} after 10 sends")

    amounts = st.integers(1, 400).map(lambda c: f"{Decimal(c) / 4:.2f}")

    @rule(
        kind=st.sampled_from(["credit", "debit"]),
        account=st.sampled_from(sorted(ACCOUNTS)),
        amount=amounts,
    )
    def money(self, kind: str, account: str, amount: str) -> None:
        txn = f"T{next(self.txns)}"
        self.send({"type": kind, "txn_id": txn, "account_id": account, "amount": amount})

    @rule(pair=st.sampled_from([("U1", "U2"), ("U2", "U3"), ("U3", "U1"), ("E1", "E2")]),
          amount=amounts)  # fmt: skip
    def transfer(self, pair: tuple[str, str], amount: str) -> None:
        txn = f"T{next(self.txns)}"
        raw = {"type": "transfer", "txn_id": txn, "from_account": pair[0],
               "to_account": pair[1], "amount": amount}  # fmt: skip
        self.send(raw)

    @rule(user=st.sampled_from(USERS), amount=amounts)
    def earn_points(self, user: str, amount: str) -> None:
        n = next(self.txns)
        raw = {"type": "earn", "transaction_id": f"L{n}", "user_id": user,
               "order_id": f"O{n}", "amount": amount}  # fmt: skip
        self.send(raw)

    @precondition(lambda self: self.model.sent)
    @rule(data=st.data(), conflicting=st.booleans())
    def resend(self, data: st.DataObject, conflicting: bool) -> None:
        """The client sends an earlier command again (or reuses its txn id for another)."""
        txn = data.draw(st.sampled_from(sorted(self.model.sent)))
        raw = dict(self.model.sent[txn].raw)
        if conflicting and "amount" in raw:
            raw["amount"] = f"{Decimal(raw['amount']) + Decimal('0.01'):.2f}"
        self.send(raw)

    @rule(kind=st.sampled_from(["lose_responses", "throttle_appends", "throttle_views",
                                "throttle_leases"]), n=st.integers(1, 3))  # fmt: skip
    def fault(self, kind: str, n: int) -> None:
        setattr(self.faults, kind, getattr(self.faults, kind) + n)

    @rule(seconds=st.sampled_from([1.0, LEASE + 1, days(1), days(40)]))
    def clock_jumps(self, seconds: float) -> None:
        self.clock.jump(seconds)

    # --- the consumers --------------------------------------------------------------------

    @rule(
        kind=st.sampled_from(KINDS),
        point=st.sampled_from(CRASH_POINTS),
        at=st.integers(1, 3),
        batch=st.integers(1, 4),
        provably_dead=st.booleans(),
    )
    def consumer_crashes(
        self, kind: str, point: str, at: int, batch: int, provably_dead: bool
    ) -> None:
        plan = CrashPlan(point, at)
        poller = self.poller(kind, plan, batch)
        try:
            self.run(poller, until_idle=True)
        except Crash:  # the process died
            assert plan.crashed
            if provably_dead:
                self.dead.add(poller.owner)

    @rule(kind=st.sampled_from(KINDS), batch=st.integers(1, 4), at=st.integers(1, 3))
    def lease_expires_and_another_takes_over(self, kind: str, batch: int, at: int) -> None:
        """The first consumer stalls inside its ``at``-th batch past its lease; a second
        one takes the shard over and drains it; more commands come in; the first then wakes
        up (its checkpoint refused) and runs on until idle."""
        plan = CrashPlan()
        first = self.poller(kind, plan, batch)
        inner = first.handler
        seen = {"n": 0}

        def stalling(event: dict[str, Any], context: Any = None) -> Any:
            response = inner(event, context)
            seen["n"] += 1
            if seen["n"] == at:
                self.clock.jump(LEASE + 1)
                second = self.poller(kind, CrashPlan(), batch)
                tick, self.clock.tick = self.clock.tick, 0.0
                result = self.run(second, until_idle=True)
                self.clock.tick = tick
                assert result is None or result.idle, result
                self.money("credit", "U1", "1.00")  # the clients write on meanwhile
                self.earn_points(USERS[0], "1.00")
            return response

        first.handler = stalling
        self.run(first, until_idle=True)

    @rule(kind=st.sampled_from(KINDS), batch=st.integers(1, 100))
    def drain(self, kind: str, batch: int) -> None:
        result = self.run(self.poller(kind, CrashPlan(), batch), until_idle=True)
        if result is not None:
            assert result.idle, result.as_dict()

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def commands_once_and_money_conserved(self) -> None:
        store = self.app.event_store
        txns: Counter[tuple[str, str, int]] = Counter()
        balance: Counter[str] = Counter()
        for account, currency in ACCOUNTS.items():
            events = list(store.events(account))
            for e in events:
                if isinstance(e, FundsCredited | FundsDebited):
                    txns[(e.txn_id, e.account_id, 0)] += 1
            if events:
                balance[currency] += events[-1].balance_after
        assert [t for t, n in txns.items() if n > 1] == []
        for currency in set(ACCOUNTS.values()):
            assert balance[currency] == self.model.moved[currency], (currency, balance)

    @invariant()
    def each_event_projected_exactly_once(self) -> None:
        store = self.app.event_store
        for account in ACCOUNTS:
            view = self.app.views.balance(account)
            if view is None:
                continue
            events = {e.seq: e for e in store.events(account)}
            assert view.applied_seq in events, (account, view)
            assert view.balance == events[view.applied_seq].balance_after, (account, view)

    @invariant()
    def loyalty_views_are_their_folds(self) -> None:
        for user in USERS:
            view = self.app.loyalty_store.member(user)
            if view is None:
                continue
            log = [
                e for e in self.app.event_store.events(member_account(user)) if e.seq <= view.seq
            ]
            folded = fold(MemberView(user), log, self.app.loyalty_rules).view
            assert (folded.points, folded.tier, folded.seq) == (view.points, view.tier, view.seq)

    @invariant()
    def no_alert_twice(self) -> None:
        store = self.app.fraud_store
        assert isinstance(store, MemoryFraudStore)
        seen = Counter((a.rule, a.account_id, tuple(a.evidence)) for a in store._alerts.values())
        assert [k for k, n in seen.items() if n > 1] == []

    def teardown(self) -> None:
        """The end: every consumer drained by a fresh one; every view at the head."""
        self.faults.throttle_views = self.faults.throttle_leases = 0
        for kind in KINDS:
            result = self.run(self.poller(kind, CrashPlan(), 100), until_idle=True)
            assert result is not None and result.idle, kind
        heads = defaultdict(int)
        for account in ACCOUNTS:
            for e in self.app.event_store.events(account):
                heads[account] = e.seq
        for account, head in heads.items():
            view = self.app.views.balance(account)
            assert view is not None and view.applied_seq == head, (account, view, head)
