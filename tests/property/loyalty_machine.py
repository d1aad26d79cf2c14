"""The loyalty state machine (issue 13): EARN/REDEEM through the real ledger on DynamoDB Local,
a pure model beside it, invariants after every step.

A sibling of ``LedgerMachine`` reusing its parts (the fresh backend per example, the burst
threads released together, the profile budgets). Invariants, per member: the points never go
negative; the ledger balance, the member view and the model agree; the tier is the one the
rules give the model's lifetime points (the fold), with one tier-change entry per crossing;
the by-order index holds exactly the approved EARNs. Per command: a txn id seen before is a
``duplicate`` of its first outcome, also when delivered several times at once; redelivering a
member's events to the projector changes nothing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from apps.loyalty.model import member_account
from apps.loyalty.rules import LoyaltyRules
from tests.property import backend as backends

USERS = ("u1", "u2")
TXNS = tuple(f"t{i}" for i in range(10))
users = st.sampled_from(USERS)
txns = st.sampled_from(TXNS)
#: order amounts in cents: small ones, and ones that cross a tier (rules: 200 / 500 points)
amounts = st.sampled_from([1, 99, 250, 5000, 15000, 30000])
RULES = LoyaltyRules(thresholds=(200, 500))


@dataclass
class Member:
    points: int = 0
    lifetime: int = 0
    crossings: int = 0
    orders: dict[str, str] = field(default_factory=dict)  # txn id -> order id


@dataclass
class LoyaltyModel:
    members: dict[str, Member] = field(default_factory=dict)
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)  # first outcome per txn
    payloads: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def earn(self, txn: str, user: str, order: str, cents: int) -> dict[str, Any]:
        member = self.members.get(user, Member())
        tier = RULES.tier_of(member.lifetime)
        points = RULES.points_for(cents, 2, tier)
        if points < 1:  # rejected: not even the member's account is opened
            return {"status": "rejected"}
        self.members[user] = member
        member.points += points
        member.lifetime += points
        member.crossings += RULES.tier_of(member.lifetime) != tier
        member.orders[txn] = order
        return {"status": "approved", "balance_after": str(member.points)}

    def redeem(self, user: str, points: int) -> dict[str, Any]:
        member = self.members.get(user)
        if member is None:
            return {"status": "rejected"}
        if member.points < points:
            return {"status": "declined", "reason": "low_balance"}
        member.points -= points
        return {"status": "approved", "balance_after": str(member.points)}


class LoyaltyMachine(RuleBasedStateMachine):
    #: on the in-memory twins (tests/property/test_twin_machines.py), else on DynamoDB Local
    TWINS: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self.app = backends.machine_app(self.TWINS, loyalty_rules=RULES)
        self.model = LoyaltyModel()

    def teardown(self) -> None:
        backends.close(self.app)

    def _expect(
        self, txn: str, payload: tuple[Any, ...], predict: Any, got: dict[str, Any]
    ) -> None:
        """Check an outcome: a taken txn id answers ``duplicate`` (same payload) or
        ``rejected`` (another one); a free one gets the model's prediction."""
        first = self.model.outcomes.get(txn)
        if first is not None:
            if self.model.payloads[txn] != payload:
                assert got["status"] == "rejected", (txn, got)
                return
            assert got["status"] == "duplicate", (txn, got)
            assert got.get("balance_after") == first.get("balance_after"), (first, got)
            return
        want = predict()
        assert got["status"] == want["status"], (txn, want, got)
        for key in ("balance_after", "reason"):
            if key in want:
                assert got.get(key) == want[key], (txn, want, got)
        if got["status"] != "rejected":  # a rejected command records nothing
            self.model.outcomes[txn] = got
            self.model.payloads[txn] = payload

    def _earn_cmd(self, txn: str, user: str, cents: int) -> dict[str, Any]:
        return {"type": "earn", "transaction_id": txn, "user_id": user,
                "order_id": f"o-{txn}", "amount": f"{cents / 100:.2f}"}  # fmt: skip

    @rule(txn=txns, user=users, cents=amounts)
    def earn(self, txn: str, user: str, cents: int) -> None:
        got = self.app.loyalty.submit(self._earn_cmd(txn, user, cents)).to_json_dict()
        predict = lambda: self.model.earn(txn, user, f"o-{txn}", cents)  # noqa: E731
        self._expect(txn, ("earn", user, cents), predict, got)

    @rule(txn=txns, user=users, points=st.integers(1, 400))
    def redeem(self, txn: str, user: str, points: int) -> None:
        raw = {"type": "redeem", "transaction_id": txn, "user_id": user, "points": points}
        got = self.app.loyalty.submit(raw).to_json_dict()
        predict = lambda: self.model.redeem(user, points)  # noqa: E731
        self._expect(txn, ("redeem", user, points), predict, got)

    @rule(txn=txns, user=users, cents=amounts, copies=st.integers(2, 4))
    def concurrent_duplicates(self, txn: str, user: str, cents: int, copies: int) -> None:
        """The same EARN delivered ``copies`` times at once: one original, the rest duplicates."""
        raw = self._earn_cmd(txn, user, cents)
        outs: list[dict[str, Any]] = []
        gate = threading.Barrier(copies)

        def deliver() -> None:
            gate.wait()
            outs.append(self.app.loyalty.submit(raw).to_json_dict())

        threads = [threading.Thread(target=deliver) for _ in range(copies)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        payload = ("earn", user, cents)
        if txn in self.model.outcomes:  # every copy is a repeat of the first
            for out in outs:
                self._expect(txn, payload, None, out)
            return
        firsts = [o for o in outs if o["status"] != "duplicate"]
        rejected = bool(firsts) and firsts[0]["status"] == "rejected"
        assert len(firsts) == (copies if rejected else 1), outs
        predict = lambda: self.model.earn(txn, user, f"o-{txn}", cents)  # noqa: E731
        self._expect(txn, payload, predict, firsts[0])

    @rule(user=users)
    def redeliver(self, user: str) -> None:
        """The stream delivers a member's events again: the view does not move."""
        before = self.app.loyalty_store.member(user)
        self.app.loyalty_projector.project(list(self.app.event_store.events(member_account(user))))
        assert self.app.loyalty_store.member(user) == before

    @invariant()
    def members_agree_with_the_log_and_the_model(self) -> None:
        for user in USERS:
            member = self.model.members.get(user)
            view = self.app.loyalty_store.member(user)
            state = self.app.event_store.state(member_account(user))
            if member is None or state is None:
                assert view is None or view.points == 0
                continue
            assert state.balance == member.points >= 0, (user, state, member)
            assert view is not None and view.points == member.points, (view, member)
            assert view.lifetime_earned == member.lifetime
            assert view.tier == RULES.tier_of(member.lifetime), (view, member)
            assert len(self.app.loyalty_store.tier_changes(user)) == member.crossings
            for txn, order in member.orders.items():
                assert [o.txn_id for o in self.app.loyalty_store.orders(order)] == [txn]
