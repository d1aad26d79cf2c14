"""The stream consumers' checkpoint and lease store contract: every test on the in-memory twin
and on DynamoDB Local (the ``<prefix>-streams`` table).

A lease is taken when free, expired or ours, never on a finished shard, and taken over from a
named holder only; a checkpoint, renewal or release needs the lease (else ``LeaseLost``); a
release frees the lease and keeps the checkpoint; consumers and streams never see each
other's records; racing takers have one winner.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from acme_txn.bootstrap import App
from streams.lease_ports import LeaseLost, LeaseStore, LeaseTable

Open = Callable[..., LeaseStore]


@pytest.fixture(params=["memory", "dynamodb"])
def table(request: pytest.FixtureRequest) -> LeaseTable:
    app: App = request.getfixturevalue("memory_app" if request.param == "memory" else "app")
    return app.lease_table


@pytest.fixture
def now() -> list[float]:
    return [1_000.0]


@pytest.fixture
def open_store(table: LeaseTable, now: list[float]) -> Open:
    def make(owner: str, consumer: str = "c", label: str = "L", lease: float = 10) -> LeaseStore:
        return table.open(consumer, label, owner, lease, lambda: now[0])

    return make


def test_given_a_free_shard_then_one_owner_takes_it_and_another_cannot(open_store: Open) -> None:
    a, b = open_store("A"), open_store("B")
    taken = a.acquire("s1")
    assert taken is not None and taken.owner == "A" and taken.checkpoint is None
    assert taken.lease_expires_ms == 1_010_000
    assert b.acquire("s1") is None
    again = a.acquire("s1")  # ours: kept (and extended)
    assert again is not None and again.owner == "A"
    assert b.load_all()["s1"].owner == "A"


def test_given_an_expired_lease_then_another_owner_takes_it_with_the_checkpoint(
    open_store: Open, now: list[float]
) -> None:
    a, b = open_store("A"), open_store("B")
    assert a.acquire("s1") is not None
    a.checkpoint("s1", "00042")
    now[0] += 10.001
    taken = b.acquire("s1")
    assert taken is not None and taken.owner == "B" and taken.checkpoint == "00042"
    with pytest.raises(LeaseLost):
        a.checkpoint("s1", "00099")
    with pytest.raises(LeaseLost):
        a.renew("s1")
    assert b.load_all()["s1"].checkpoint == "00042"


def test_given_a_checkpoint_then_it_renews_the_lease_and_keeps_the_last_seq(
    open_store: Open, now: list[float]
) -> None:
    a, b = open_store("A"), open_store("B")
    assert a.acquire("s1") is not None
    now[0] += 8
    a.checkpoint("s1", "00007")
    a.checkpoint("s1", None)  # no new position: the checkpoint stays
    now[0] += 8  # 16 s after the acquire, 8 after the checkpoint: still A's
    assert b.acquire("s1") is None
    state = a.load_all()["s1"]
    assert state.checkpoint == "00007" and state.lease_expires_ms == 1_018_000
    now[0] += 3
    a.renew("s1")
    assert a.load_all()["s1"].lease_expires_ms == 1_029_000


def test_given_a_release_then_the_lease_is_free_at_once_and_the_checkpoint_stays(
    open_store: Open,
) -> None:
    a, b = open_store("A"), open_store("B")
    assert a.acquire("s1") is not None
    a.checkpoint("s1", "00005")
    b.release("s1")  # not B's: nothing happens
    assert a.load_all()["s1"].owner == "A"
    a.release("s1")
    state = b.load_all()["s1"]
    assert state.owner is None and state.lease_expires_ms == 0 and state.checkpoint == "00005"
    taken = b.acquire("s1")
    assert taken is not None and taken.owner == "B" and taken.checkpoint == "00005"
    with pytest.raises(LeaseLost):
        a.renew("s1")


def test_given_a_finished_shard_then_no_one_takes_its_lease(open_store: Open) -> None:
    a, b = open_store("A"), open_store("B")
    assert a.acquire("s1") is not None
    a.checkpoint("s1", "00009", finished=True)
    a.release("s1")
    assert b.acquire("s1") is None and a.acquire("s1") is None
    assert b.take_over("s1", "A") is None
    state = b.load_all()["s1"]
    assert state.finished and state.checkpoint == "00009"


def test_given_a_named_holder_then_take_over_takes_its_unexpired_lease_only(
    open_store: Open,
) -> None:
    a, b, c = open_store("A"), open_store("B"), open_store("C")
    assert b.take_over("s1", "A") is None  # no lease at all: nothing to take over
    assert a.acquire("s1") is not None
    a.checkpoint("s1", "00003")
    assert c.take_over("s1", "X") is None  # not the holder named
    taken = b.take_over("s1", "A")
    assert taken is not None and taken.owner == "B" and taken.checkpoint == "00003"
    assert c.take_over("s1", "A") is None  # it moved meanwhile
    with pytest.raises(LeaseLost):
        a.checkpoint("s1", "00004")


def test_given_other_consumers_and_streams_then_their_leases_are_apart(
    open_store: Open, table: LeaseTable, now: list[float]
) -> None:
    a = open_store("A", consumer="c1", label="L1")
    others = [open_store("B", consumer="c2", label="L1"), open_store("B", label="L2")]
    assert a.acquire("s1") is not None
    for other in others:
        assert other.acquire("s1") is not None  # not the same lease
        other.checkpoint("s1", "00077")
    a.checkpoint("s1", "00001")
    assert set(a.load_all()) == {"s1"} and a.load_all()["s1"].checkpoint == "00001"
    live = table.live_leases(now[0])
    assert sorted(s.owner or "" for s in live) == ["A", "B", "B"]
    assert table.live_leases(now[0] + 11) == []


def test_given_racing_takers_then_exactly_one_wins(open_store: Open) -> None:
    stores = [open_store(f"P{i}") for i in range(6)]
    barrier = threading.Barrier(len(stores))
    won: list[str] = []

    def take(store: LeaseStore) -> None:
        barrier.wait()
        if store.acquire("s1") is not None:
            won.append(store.owner)

    threads = [threading.Thread(target=take, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and stores[0].load_all()["s1"].owner == won[0]
