"""The offer state machine: offers created, sent and answered through the real ledger on
DynamoDB Local, a pure model beside it (``offer_model``), invariants after every step.

Invariants: every relationship in the store is the model's (a response only from PENDING, at
most one, never reset by a resend; ``responded_at`` set exactly when answered), and nothing
else exists. Concurrent answers from threads have exactly one winner. The clock moves forward,
so offers expire and late answers and sends are rejected.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any, ClassVar

from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from processor.domain.outcomes import Outcome
from tests.offer_support import T_SEND, Clock, add_customer
from tests.property import backend as backends
from tests.property.offer_model import CUSTOMERS, UNKNOWN, OfferModel

OFFERS = ("01022030-1", "01022030-2", "01152030-1")
EXPIRIES = ("2030-01-20", "2030-03-01")
customers = st.sampled_from([*CUSTOMERS, UNKNOWN])
responses = st.sampled_from(["ACCEPTED", "REJECTED"])


class OfferMachine(RuleBasedStateMachine):
    #: on the in-memory twins (tests/property/test_twin_machines.py), else on DynamoDB Local
    TWINS: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self.app = backends.machine_app(self.TWINS)
        self.clock = Clock(T_SEND)
        self.ledger = self.app.new_ledger(clock=self.clock)
        for customer, statuses in CUSTOMERS.items():
            add_customer(self.ledger, customer, sorted(statuses))
        self.model = OfferModel(T_SEND.date())

    def teardown(self) -> None:
        backends.close(self.app)

    def submit(self, cmd: dict[str, Any]) -> dict[str, Any]:
        return self.ledger.submit_raw(cmd).to_json_dict()

    @initialize()
    def a_live_offer_sent_to_everyone(self) -> None:
        self.create_offer(OFFERS[0], EXPIRIES[1], "A")
        self.send_offer(OFFERS[0], list(CUSTOMERS), None)

    @rule(
        offer=st.sampled_from(OFFERS),
        expires_on=st.sampled_from(EXPIRIES),
        terms=st.sampled_from("AB"),
    )
    def create_offer(self, offer: str, expires_on: str, terms: str) -> None:
        note_event("rule: create_offer")
        cmd = {"type": "create_offer", "offer_id": offer, "expires_on": expires_on,
               "details": {"v": 1}, "terms": terms}  # fmt: skip
        expected = self.model.predict_create(cmd)
        out = self.submit(cmd)
        assert out["status"] == expected, (cmd, out)
        self.model.record_create(cmd, out["status"])

    @rule(
        offer=st.sampled_from(OFFERS),
        ids=st.one_of(st.none(), st.lists(customers, min_size=1, max_size=4)),
        status=st.sampled_from(["veteran", "student", "handicap"]),
    )
    def send_offer(self, offer: str, ids: list[str] | None, status: str | None) -> None:
        note_event("rule: send_offer")
        cmd: dict[str, Any] = {"type": "send_offer", "offer_id": offer}
        cmd |= {"customer_ids": ids} if ids is not None else {"special_status": status}
        status_, sent, already = self.model.predict_send(cmd)
        out = self.submit(cmd)
        assert out["status"] == status_, (cmd, out)
        if status_ == "sent":
            assert (out["sent"], out["already_sent"]) == (sent, already), (cmd, out)
        self.model.record_send(cmd)

    @rule(offer=st.sampled_from(OFFERS), customer=customers, response=responses)
    def respond_offer(self, offer: str, customer: str, response: str) -> None:
        note_event("rule: respond_offer")
        cmd = {"type": "respond_offer", "offer_id": offer, "customer_id": customer,
               "response": response}  # fmt: skip
        expected = self.model.predict_respond(cmd)
        out = self.submit(cmd)
        assert out["status"] == expected, (cmd, out)
        if expected == "responded":
            self.model.record_response(customer, offer, response, out["responded_at"])

    @rule(
        offer=st.sampled_from(OFFERS),
        customer=customers,
        answers=st.lists(responses, min_size=2, max_size=4),
    )
    def race_responses(self, offer: str, customer: str, answers: list[str]) -> None:
        """Several answers at once, each on its own ledger: at most one wins."""
        note_event("rule: race_responses")
        cmds = [{"type": "respond_offer", "offer_id": offer, "customer_id": customer,
                 "response": r} for r in answers]  # fmt: skip
        expected = self.model.predict_respond(cmds[0])
        ledgers = [self.app.new_ledger(clock=self.clock) for _ in cmds]
        barrier, outs = threading.Barrier(len(cmds)), [Outcome(status="failed")] * len(cmds)

        def run(i: int) -> None:
            barrier.wait()
            outs[i] = ledgers[i].submit_raw(cmds[i])

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(cmds))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [(i, o) for i, o in enumerate(outs) if o.status == "responded"]
        assert len(winners) == (1 if expected == "responded" else 0), outs
        for i, won in winners:
            self.model.record_response(customer, offer, answers[i], str(won.responded_at))
        for out, cmd in zip(outs, cmds, strict=True):
            if out.status != "responded":
                assert out.status == self.model.predict_respond(cmd), (cmd, out)

    @rule(days=st.sampled_from([1, 7, 30]))
    def time_passes(self, days: int) -> None:
        note_event("rule: time_passes")
        self.clock.now += timedelta(days=days)
        self.model.today = self.clock.now.date()

    @invariant()
    def relationships_are_the_models(self) -> None:
        """A response only from PENDING, at most one, never reset; nothing else stored."""
        store = self.app.offer_store
        for customer in (*CUSTOMERS, UNKNOWN):
            for offer in OFFERS:
                stored = store.relationship(customer, offer)
                expected = self.model.rels.get((customer, offer))
                if expected is None:
                    assert stored is None, (customer, offer, stored)
                    continue
                assert stored is not None, (customer, offer)
                assert (stored.status, stored.responded_at) == (
                    expected.status,
                    expected.responded_at,
                ), (customer, offer, stored, expected)
