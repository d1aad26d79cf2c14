"""The loyalty store contract: one set of tests, the in-memory twin and the DynamoDB adapter.

A member view is written only from the seq it was folded from (a stale writer is refused and
changes nothing); index entries (tier changes, orders) written twice are stored once; the tier
index pages through every member of a tier with tokens bound to that tier.
"""

from __future__ import annotations

import pytest

from acme_base.errors import InvalidInput
from acme_txn.bootstrap import App
from apps.loyalty.model import MemberView, OrderEntry, TierChanged
from apps.loyalty.ports import LoyaltyStore

AT = "2030-01-02T00:00:00+00:00"


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> LoyaltyStore:
    app: App = request.getfixturevalue("memory_app" if request.param == "memory" else "app")
    return app.loyalty_store


def view(user: str, seq: int, points: int = 10, tier: str = "Bronze") -> MemberView:
    return MemberView(user, points, points, tier, seq, AT)


def test_given_no_view_when_saved_from_none_then_it_reads_back(store: LoyaltyStore) -> None:
    # GIVEN nothing stored WHEN a view is saved expecting none
    assert store.save(view("u1", 1), None)
    # THEN it reads back as written
    assert store.member("u1") == view("u1", 1)
    assert store.member("nobody") is None


def test_given_a_view_when_a_stale_writer_saves_then_it_is_refused(store: LoyaltyStore) -> None:
    # GIVEN a view at seq 3
    assert store.save(view("u1", 1), None)
    assert store.save(view("u1", 3, 30), 1)
    # WHEN writers expecting seq 1 or no view save
    stale_1 = store.save(view("u1", 2, 20), 1)
    stale_none = store.save(view("u1", 2, 20), None)
    # THEN both are refused and the view stays at seq 3
    assert (stale_1, stale_none) == (False, False)
    assert store.member("u1") == view("u1", 3, 30)


def test_given_index_entries_when_written_twice_then_each_is_stored_once(
    store: LoyaltyStore,
) -> None:
    # GIVEN a tier change and two EARNs of one order
    change = TierChanged("u1", 2, "Bronze", "Silver", AT)
    orders = [OrderEntry("o1", "t2", "u1", 5, AT), OrderEntry("o1", "t1", "u1", 7, AT)]
    # WHEN saved twice (the second save's view is refused: a redelivery)
    assert store.save(view("u1", 2), None, [change], orders)
    assert not store.save(view("u1", 2), None, [change], orders)
    # THEN each entry is there once, in key order
    assert store.tier_changes("u1") == [change]
    assert store.orders("o1") == sorted(orders, key=lambda o: o.txn_id)
    assert store.orders("o2") == []


def test_given_members_in_tiers_when_paged_by_tier_then_every_one_comes_once(
    store: LoyaltyStore,
) -> None:
    # GIVEN 7 Silver members and 2 Gold ones
    for i in range(7):
        assert store.save(view(f"s{i}", 1, 1000 + i, "Silver"), None)
    for i in range(2):
        assert store.save(view(f"g{i}", 1, 9000, "Gold"), None)
    # WHEN Silver is read 3 at a time
    seen, token = [], None
    for _ in range(10):
        page = store.members_by_tier("Silver", 3, token)
        seen += page.items
        token = page.next_token
        if token is None:
            break
    # THEN each Silver member came once, with its points, and no Gold one
    assert sorted(r["user_id"] for r in seen) == [f"s{i}" for i in range(7)]
    assert {r["user_id"]: r["points"] for r in seen}["s6"] == 1006
    assert {r["tier"] for r in seen} == {"Silver"}
    assert [r["user_id"] for r in store.members_by_tier("Bronze").items] == []


def test_given_a_token_of_one_tier_when_used_for_another_then_it_is_invalid(
    store: LoyaltyStore,
) -> None:
    # GIVEN a Silver page with a next token
    for i in range(3):
        assert store.save(view(f"s{i}", 1, 1000, "Silver"), None)
    token = store.members_by_tier("Silver", 1).next_token
    assert token is not None
    # WHEN it is used for Gold, or an unknown tier is asked for THEN both are invalid input
    with pytest.raises(InvalidInput):
        store.members_by_tier("Gold", 1, token)
    with pytest.raises(InvalidInput):
        store.members_by_tier("Platinum")
