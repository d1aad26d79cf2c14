"""Offers on the twins, through `submit`'s commands: unknown ids, answers and sends after
expiry rejected with nothing written, and audiences by balance (the balance read model, once
projected). The audience by special status also runs on DynamoDB Local (``backend``: a sparse
index there); the stored TTL attribute, relationships past their TTL, concurrent answers and
the tables' TTL setting are DynamoDB's (tests/integration/test_offers.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from acme_base.errors import InvalidInput
from acme_txn.bootstrap import App
from processor.domain.outcomes import Outcome
from tests.app.conftest import project, stored
from tests.offer_support import (
    OFFER,
    T_EXPIRED,
    T_LAST_DAY,
    Clock,
    add_customer,
    create_offer,
    respond,
)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def bank_on(app: App, clock: Clock) -> App:
    """C1 veteran, C2 veteran+student, C3 none; offer 01022030-1 created on its date."""
    ledger = app.new_ledger(clock=clock)
    add_customer(ledger, "C1", ["veteran"], account="A1")
    add_customer(ledger, "C2", ["veteran", "student"], account="A2")
    add_customer(ledger, "C3", account="A3")
    assert submit(app, clock, create_offer()).status == "created"
    return app


@pytest.fixture
def bank(memory_app: App, clock: Clock) -> App:
    return bank_on(memory_app, clock)


def submit(app: App, clock: Clock, cmd: Any) -> Outcome:
    return app.new_ledger(clock=clock).submit_raw(cmd)


def test_given_unknown_ids_when_queried_then_invalid_input(bank: App, clock: Clock) -> None:
    queries = bank.offer_queries()
    for read, match in [
        (lambda: queries.offer("01022030-7"), "unknown offer"),
        (lambda: queries.offer("13012030-1"), "no real date"),
        (lambda: queries.for_customer("C9"), "unknown customer"),
        (lambda: queries.for_customer("C1", "01022030-7"), "unknown offer"),
        (lambda: queries.status("C1", OFFER), "was not sent"),
        (lambda: queries.status("C9", OFFER), "unknown customer"),
        (lambda: queries.customers_of("01022030-7"), "unknown offer"),
    ]:
        with pytest.raises(InvalidInput, match=match):
            read()


def test_given_an_expired_offer_when_answered_or_sent_then_rejected_and_nothing_changes(
    bank: App, clock: Clock
) -> None:
    submit(bank, clock, {"type": "send_offer", "offer_id": OFFER, "special_status": "veteran"})
    clock.now = T_LAST_DAY
    assert submit(bank, clock, respond("C2", "REJECTED")).status == "responded"
    before = stored(bank)
    # WHEN the day after the offer's last day C1 answers, or the offer is sent again
    clock.now = T_EXPIRED
    late = submit(bank, clock, respond("C1"))
    resend = submit(bank, clock, {"type": "send_offer", "offer_id": OFFER, "customer_ids": ["C3"]})
    # THEN both are rejected with the reason, and nothing was written
    assert (late.status, resend.status) == ("rejected", "rejected")
    assert "expired on 2030-03-01" in (late.error or "")
    assert "expired on 2030-03-01" in (resend.error or "")
    assert stored(bank) == before
    assert bank.offer_queries().status("C1", OFFER)["status"] == "PENDING"


def test_given_balances_when_sent_by_min_balance_then_only_rich_customers_get_it(
    bank: App, clock: Clock
) -> None:
    # GIVEN A1 (C1) at 12,000.00, A2 (C2) at 9,999.99, A3 (C3) at 10,000.00, projected
    ledger = bank.new_ledger(clock=clock)
    for txn, account, amount in [
        ("T1", "A1", "12000.00"),
        ("T2", "A2", "9999.99"),
        ("T3", "A3", "10000.00"),
    ]:
        assert (
            ledger.submit_raw(
                {"type": "credit", "txn_id": txn, "account_id": account, "amount": amount}
            ).status
            == "approved"
        )
    project(bank)
    # WHEN the offer goes to every customer with a balance of at least 10,000.00
    cmd = {"type": "send_offer", "offer_id": OFFER, "min_balance": "10000.00"}
    out = submit(bank, clock, cmd).to_json_dict()
    # THEN C1 and C3 have it, C2 does not; a resend adds nobody
    assert (out["status"], out["sent"], out["already_sent"]) == ("sent", 2, 0)
    assert [r["customer_id"] for r in bank.offer_queries().customers_of(OFFER).items] == [
        "C1",
        "C3",
    ]
    again = submit(bank, clock, cmd).to_json_dict()
    assert (again["sent"], again["already_sent"]) == (0, 2)
    eur = submit(bank, clock, {**cmd, "currency": "EUR"}).to_json_dict()
    assert (eur["sent"], eur["already_sent"]) == (0, 0)


class TestOnEitherBackend:
    @pytest.fixture
    def bank(self, backend: App, clock: Clock) -> App:
        return bank_on(backend, clock)

    def test_given_a_special_status_when_sent_then_the_sparse_index_picks_the_audience(
        self, bank: App, clock: Clock
    ) -> None:
        out = submit(
            bank, clock, {"type": "send_offer", "offer_id": OFFER, "special_status": "student"}
        )
        assert (out.status, out.to_json_dict()["sent"]) == ("sent", 1)
        assert [r["customer_id"] for r in bank.offer_queries().customers_of(OFFER).items] == ["C2"]
