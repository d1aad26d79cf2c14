"""The fraud store contract: every test on the in-memory twin and on DynamoDB Local.

Profiles move only from the ``applied_seq`` the writer read (a lost race writes nothing); an
alert id is stored once (the same evidence again is no new alert); alerts come back by day
and minimum risk score through the sparse index, highest first; status changes follow
``NEXT_STATUS`` (a dismissed alert stays dismissed), with one winner among racing reviewers.
"""

from __future__ import annotations

import threading

import pytest

from acme_txn.bootstrap import App
from projections.fraud.model import DISMISSED, OPEN, REVIEWED, Alert, Profile, Txn, alert_id
from projections.fraud.ports import FraudStore, ProfileMoved, StatusRefused, UnknownAlert


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> FraudStore:
    app: App = request.getfixturevalue("memory_app" if request.param == "memory" else "app")
    return app.fraud_store


def alert(rule: str = "velocity", day: str = "2030-01-02", score: int = 60, *ev: str) -> Alert:
    evidence = ev or ("T1", "T2")
    return Alert(
        alert_id(rule, "A1", evidence),
        rule,
        "A1",
        f"{day}T00:00:00Z",
        f"{day}T01:00:00Z",
        evidence,
        score,
        day,
        "detail",
    )


def test_given_no_profile_when_saved_then_it_reads_back_and_guards_the_next_write(
    store: FraudStore,
) -> None:
    assert store.profile("A1") is None
    p = Profile(
        "A1",
        applied_seq=3,
        last_activity=1.5,
        n=2,
        mean=0.1 + 0.2,
        m2=1e-9,
        recent=[Txn(3, "T3", 1.5, "debit", "approved", 100, None, False)],
        counterparties=["B"],
        fired=["velocity@1"],
    )
    store.save_profile(p, None)
    assert store.profile("A1") == p  # floats bit for bit
    with pytest.raises(ProfileMoved):
        store.save_profile(Profile("A1", applied_seq=9), None)  # it exists now
    with pytest.raises(ProfileMoved):
        store.save_profile(Profile("A1", applied_seq=9), 2)  # not at 2
    store.save_profile(Profile("A1", applied_seq=9), 3)
    stored = store.profile("A1")
    assert stored is not None and stored.applied_seq == 9


def test_given_an_alert_when_put_twice_then_it_is_stored_once(store: FraudStore) -> None:
    a = alert()
    assert store.put_alert(a) is True
    assert store.put_alert(a) is False
    assert store.alert(a.alert_id) == a
    assert store.alert("nope") is None


def test_given_alerts_of_several_days_then_a_range_query_gives_them_by_score(
    store: FraudStore,
) -> None:
    for day, score, ev in [
        ("2030-01-01", 40, "X"),
        ("2030-01-02", 90, "Y"),
        ("2030-01-02", 55, "Z"),
        ("2030-01-04", 70, "W"),
    ]:
        store.put_alert(alert("velocity", day, score, ev))
    days = ["2030-01-01", "2030-01-02", "2030-01-03"]
    assert [a.risk_score for a in store.alerts(days)] == [90, 55, 40]
    assert [a.risk_score for a in store.alerts(days, min_score=55)] == [90, 55]
    assert store.alerts(["2030-01-03"]) == []


def test_given_an_open_alert_then_review_then_dismiss_and_never_back(store: FraudStore) -> None:
    a = alert()
    store.put_alert(a)
    reviewed = store.set_status(a.alert_id, REVIEWED, note="called", reviewer="ana", at="t1")
    assert (reviewed.status, reviewed.note, reviewed.reviewer) == (REVIEWED, "called", "ana")
    with pytest.raises(StatusRefused):
        store.set_status(a.alert_id, REVIEWED, note="again", reviewer="bo", at="t2")
    dismissed = store.set_status(a.alert_id, DISMISSED, note="fine", reviewer="bo", at="t3")
    assert dismissed.status == DISMISSED and dismissed.evidence == a.evidence
    for status in (REVIEWED, DISMISSED, OPEN):
        with pytest.raises(StatusRefused):
            store.set_status(a.alert_id, status, note="x", reviewer="c", at="t4")
    stored = store.alert(a.alert_id)
    assert stored is not None and (stored.status, stored.note) == (DISMISSED, "fine")
    with pytest.raises(UnknownAlert):
        store.set_status("nope", REVIEWED, note="x", reviewer="c", at="t5")


def test_given_racing_reviewers_then_exactly_one_wins(store: FraudStore) -> None:
    a = alert()
    store.put_alert(a)
    wins: list[str] = []
    barrier = threading.Barrier(4)

    def review(who: str) -> None:
        barrier.wait()
        try:
            store.set_status(a.alert_id, DISMISSED, note=who, reviewer=who, at="t")
            wins.append(who)
        except StatusRefused:
            pass

    threads = [threading.Thread(target=review, args=(f"r{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = store.alert(a.alert_id)
    assert len(wins) == 1 and stored is not None and stored.note == wins[0]
