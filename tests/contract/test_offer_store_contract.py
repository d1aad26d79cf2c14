"""The offer store contract: one set of tests, every implementation of the port.

Each test runs on the in-memory twin (``MemoryOfferStore``) and on the DynamoDB adapter
(``DynamoOfferStore`` on DynamoDB Local): an offer id is claimed once and a taken one comes
back with the stored offer; a relationship is created once and a resend never resets it; a
response moves it from PENDING only and not after the offer's last day, with one winner among
concurrent answers; pages read ``limit`` items, hide the ones past their TTL and page on with
tokens bound to their query; the customer questions of an audience get the same answers.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest

from acme_base.errors import InvalidInput
from acme_txn.bootstrap import App
from processor.offers.model import ACCEPTED, PENDING, REJECTED, CustomerOffer, Offer
from processor.offers.ports import NotPending, OfferStore, OfferTaken
from tests.offer_support import add_customer

NOW = int(datetime(2030, 1, 2, tzinfo=UTC).timestamp())
LIVE = date(2030, 3, 1)  # expiry of the live offers: TTL in September 2030
GONE = date(2020, 3, 1)  # a relationship of this expiry is past its TTL


@pytest.fixture(params=["memory", "dynamodb"])
def bank(request: pytest.FixtureRequest) -> App:
    """An app on each implementation, with customers C1..C3 (C1, C2 veterans) and accounts."""
    app: App = request.getfixturevalue("memory_app" if request.param == "memory" else "app")
    add_customer(app.ledger, "C1", ["veteran"], account="A1")
    add_customer(app.ledger, "C2", ["veteran", "student"], account="A2")
    add_customer(app.ledger, "C3", account="A3")
    return app


def offer(offer_id: str = "01022030-1", expires_on: date = LIVE, fp: str = "fp1") -> Offer:
    details = {"apr": "9.9", "tiers": [1, 2, {"gold": True}], "note": "für alle", "n": None}
    return Offer(offer_id, expires_on, details, "Terms apply.", fp, "2030-01-02T00:00:00+00:00")


def rel(customer: str, offer_id: str = "01022030-1", expires_on: date = LIVE) -> CustomerOffer:
    return CustomerOffer(customer, offer_id, PENDING, "2030-01-02T00:00:00+00:00", expires_on)


def test_given_an_offer_when_created_twice_then_the_second_sees_the_first(bank: App) -> None:
    store: OfferStore = bank.offer_store
    store.create(offer())
    assert store.offer("01022030-1") == offer()
    with pytest.raises(OfferTaken) as taken:
        store.create(offer(fp="other"))
    assert taken.value.existing == offer()
    assert store.offer("01022030-1") == offer()  # unchanged
    assert store.offer("01022030-2") is None


def test_given_a_response_when_the_offer_is_sent_again_then_it_is_not_reset(bank: App) -> None:
    store = bank.offer_store
    assert store.send(rel("C1")) is True
    answered = store.respond("C1", "01022030-1", ACCEPTED, "2030-01-03T00:00:00+00:00", LIVE)
    assert (answered.status, answered.responded_at) == (ACCEPTED, "2030-01-03T00:00:00+00:00")
    assert store.send(rel("C1")) is False
    assert store.relationship("C1", "01022030-1") == answered


def test_given_no_pending_relationship_when_answered_then_not_pending_says_why(
    bank: App,
) -> None:
    store = bank.offer_store
    store.send(rel("C1"))
    store.send(rel("C2"))
    with pytest.raises(NotPending) as none:
        store.respond("C3", "01022030-1", ACCEPTED, "t", LIVE)
    assert none.value.current is None
    with pytest.raises(NotPending) as late:
        store.respond("C2", "01022030-1", ACCEPTED, "t", date(2030, 3, 2))
    assert late.value.current == rel("C2")  # after the last day: still pending, untouched
    store.respond("C1", "01022030-1", REJECTED, "t1", LIVE)
    with pytest.raises(NotPending) as answered:
        store.respond("C1", "01022030-1", ACCEPTED, "t2", LIVE)
    assert answered.value.current is not None
    assert (answered.value.current.status, answered.value.current.responded_at) == (REJECTED, "t1")


def test_given_concurrent_answers_when_raced_then_exactly_one_wins(bank: App) -> None:
    store = bank.offer_store
    store.send(rel("C1"))
    barrier, wins, losses = threading.Barrier(8), [], []

    def answer(i: int) -> None:
        barrier.wait()
        try:
            wins.append(
                store.respond("C1", "01022030-1", [ACCEPTED, REJECTED][i % 2], f"t{i}", LIVE)
            )
        except NotPending as exc:
            losses.append(exc.current)

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1 and len(losses) == 7
    assert store.relationship("C1", "01022030-1") == wins[0]


def test_given_offers_of_a_customer_when_paged_then_ttl_hidden_and_tokens_work(bank: App) -> None:
    store = bank.offer_store
    for n in (1, 2, 3, 4):
        store.send(rel("C1", f"01022030-{n}", GONE if n == 2 else LIVE))
    first = store.offers_of("C1", NOW, 2)
    assert [r.offer_id for r in first.items] == ["01022030-1"]  # -2 read but past its TTL
    assert first.next_token is not None
    second = store.offers_of("C1", NOW, 2, first.next_token)
    assert [r.offer_id for r in second.items] == ["01022030-3", "01022030-4"]
    assert second.next_token is not None  # a full page: DynamoDB cannot know it was the last
    last = store.offers_of("C1", NOW, 2, second.next_token)
    assert (last.items, last.next_token) == ([], None)
    one = store.offers_of("C1", NOW, 10, offer_id="01022030-3")
    assert [r.offer_id for r in one.items] == ["01022030-3"]
    assert store.offers_of("C1", NOW, 10, offer_id="01022030-2").items == []  # TTL'd
    assert store.offers_of("C3", NOW, 10).items == []
    with pytest.raises(InvalidInput, match="another query"):
        store.offers_of("C2", NOW, 2, first.next_token)


def test_given_an_offer_sent_to_many_when_its_customers_are_listed_then_inverted_view(
    bank: App,
) -> None:
    store = bank.offer_store
    store.create(offer())
    for customer in ("C3", "C1", "C2"):
        store.send(rel(customer))
    store.send(rel("C1", "01022030-9"))
    page = store.customers_of("01022030-1", NOW, 2)
    rest = store.customers_of("01022030-1", NOW, 2, page.next_token)
    assert [r.customer_id for r in page.items + rest.items] == ["C1", "C2", "C3"]
    assert all(r.offer_id == "01022030-1" for r in page.items + rest.items)
    assert (
        store.customers_of("01022030-1", int(datetime(2031, 1, 1, tzinfo=UTC).timestamp()), 9).items
        == []
    )


def test_given_customers_when_asked_then_existence_statuses_and_accounts(bank: App) -> None:
    store = bank.offer_store
    assert store.missing_customers(["C1", "C9", "C3", "C8"]) == ["C9", "C8"]
    assert store.missing_customers([]) == []
    assert sorted(store.customers_with_status("veteran")) == ["C1", "C2"]
    assert list(store.customers_with_status("student")) == ["C2"]
    assert list(store.customers_with_status("handicap")) == []
    assert (store.customer_of_account("A2"), store.customer_of_account("A9")) == ("C2", None)
