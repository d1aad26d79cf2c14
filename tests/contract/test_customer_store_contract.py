"""The customer store contract: one set of tests, every implementation of the port.

Each test runs on the in-memory twin (``MemoryCustomerStore``) and on the DynamoDB adapter
(``DynamoCustomerStore`` on DynamoDB Local): a customer id and a phone are each claimed once,
all or nothing; a taken id wins over a taken phone and comes back with the stored customer;
an update needs the version it read, moves the phone's claim atomically and never takes a
phone another customer holds; concurrent registrations of one phone have one winner; and an
opening's customer check (the event store's append) refuses an unregistered customer.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from acme_base.errors import UnknownCustomer
from acme_txn.bootstrap import App
from processor.customers.model import Changes, Customer, apply_changes
from processor.customers.ports import CustomerExists, CustomerStore, PhoneTaken, StaleCustomer
from processor.domain.commands import OpenAccount
from processor.domain.decide import decide
from tests.contract.test_event_store_contract import T0 as NOW

P1, P2, P3 = "+12125550101", "+12125550102", "+12125550103"


@pytest.fixture(params=["memory", "dynamodb"])
def bank(request: pytest.FixtureRequest) -> App:
    app: App = request.getfixturevalue("memory_app" if request.param == "memory" else "app")
    return app


def customer(cid: str = "C1", phone: str = P1, statuses: frozenset[str] = frozenset()) -> Customer:
    at = "2030-01-02T00:00:00+00:00"
    return Customer(cid, f"Name {cid}", phone, "NY", statuses, at, at, 1, f"fp-{cid}-{phone}")


def changed(before: Customer, **fields: object) -> Customer:
    after, _ = apply_changes(before, Changes(**fields), "2030-01-03T00:00:00+00:00")  # type: ignore[arg-type]
    return after


def test_given_a_registered_customer_when_read_then_equal_and_phone_claimed(bank: App) -> None:
    store: CustomerStore = bank.customer_store
    store.register(customer(statuses=frozenset({"veteran", "student"})))
    assert store.customer("C1") == customer(statuses=frozenset({"veteran", "student"}))
    assert store.phone_owner(P1) == "C1"
    assert store.customer("C2") is None and store.phone_owner(P2) is None


def test_given_a_taken_id_when_registered_then_customer_exists_and_nothing_written(
    bank: App,
) -> None:
    store: CustomerStore = bank.customer_store
    store.register(customer())
    with pytest.raises(CustomerExists) as taken:
        store.register(customer(phone=P2))
    assert taken.value.existing == customer()
    assert store.customer("C1") == customer()
    assert store.phone_owner(P2) is None  # the second phone was not claimed


def test_given_a_taken_phone_when_registered_then_phone_taken_and_nothing_written(
    bank: App,
) -> None:
    store: CustomerStore = bank.customer_store
    store.register(customer())
    with pytest.raises(PhoneTaken, match=r"\+12125550101"):
        store.register(customer("C2"))
    assert store.customer("C2") is None
    assert store.phone_owner(P1) == "C1"


def test_given_a_taken_id_and_phone_when_registered_then_the_id_wins(bank: App) -> None:
    store: CustomerStore = bank.customer_store
    store.register(customer())
    with pytest.raises(CustomerExists):
        store.register(replace(customer(), name="Other"))


def test_given_an_update_when_written_then_version_moves_and_statuses_follow(bank: App) -> None:
    store: CustomerStore = bank.customer_store
    before = customer(statuses=frozenset({"veteran"}))
    store.register(before)
    after = changed(before, state="CA", add_special_status=frozenset({"student"}))
    store.update(before, after)
    assert store.customer("C1") == after and after.version == 2
    emptied = changed(after, remove_special_status=frozenset({"veteran", "student"}))
    store.update(after, emptied)
    stored = store.customer("C1")
    assert stored is not None and stored.special_status == frozenset() and stored.version == 3


def test_given_a_stale_read_when_updated_then_stale_and_nothing_written(bank: App) -> None:
    store: CustomerStore = bank.customer_store
    before = customer()
    store.register(before)
    first = changed(before, name="First")
    store.update(before, first)
    with pytest.raises(StaleCustomer):
        store.update(before, changed(before, name="Second", phone=P2))
    assert store.customer("C1") == first
    assert store.phone_owner(P2) is None and store.phone_owner(P1) == "C1"


def test_given_a_phone_change_when_updated_then_the_claim_moves_atomically(bank: App) -> None:
    store: CustomerStore = bank.customer_store
    before = customer()
    store.register(before)
    store.update(before, changed(before, phone=P2))
    assert (store.phone_owner(P1), store.phone_owner(P2)) == (None, "C1")
    store.register(customer("C2", phone=P1))  # the old phone is free again
    assert store.phone_owner(P1) == "C2"


def test_given_another_customers_phone_when_updated_then_phone_taken_and_nothing_written(
    bank: App,
) -> None:
    store: CustomerStore = bank.customer_store
    store.register(customer("C1", P1))
    store.register(customer("C2", P2))
    before = store.customer("C2")
    assert before is not None
    with pytest.raises(PhoneTaken, match=r"\+12125550101"):
        store.update(before, changed(before, phone=P1, name="Thief"))
    assert store.customer("C2") == before
    assert (store.phone_owner(P1), store.phone_owner(P2)) == ("C1", "C2")


def test_given_threads_registering_one_phone_then_exactly_one_wins(bank: App) -> None:
    store: CustomerStore = bank.customer_store
    start = threading.Barrier(6)
    results: dict[str, str] = {}

    def register(cid: str) -> None:
        start.wait()
        try:
            store.register(customer(cid, P3))
            results[cid] = "won"
        except PhoneTaken:
            results[cid] = "taken"
        except StaleCustomer:  # a concurrent transaction: the service retries it
            results[cid] = "stale"

    threads = [threading.Thread(target=register, args=(f"C{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [c for c, r in results.items() if r == "won"]
    assert len(winners) == 1, results
    assert store.phone_owner(P3) == winners[0]
    assert [c for c in results if store.customer(c) is not None] == winners


def test_given_an_unregistered_customer_when_an_account_opens_then_nothing_written(
    bank: App,
) -> None:
    cmd = OpenAccount(type="open_account", account_id="A1", customer_id="C9")
    with pytest.raises(UnknownCustomer, match="unknown customer: 'C9'"):
        bank.event_store.append(decide({}, cmd, NOW), [], opening=cmd)
    assert bank.event_store.head("A1") is None
    bank.customer_store.register(customer("C9"))
    bank.event_store.append(decide({}, cmd, NOW), [], opening=cmd)
    assert bank.event_store.head("A1") is not None
