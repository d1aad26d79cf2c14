"""The fraud rules (pure): each fires on a crafted history, with its evidence and a score, and
stays silent on a normal one; hypothesis's normal histories raise nothing at all."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from processor.domain.events import LedgerEvent
from projections.fraud.config import RulesConfig, load_rules, parse_rules, rules_from_env
from projections.fraud.model import Alert, Profile, alert_id
from projections.fraud.rules import evaluate
from tests.fraud_support import Story

RULES = RulesConfig()
DAY = 1440  # minutes


def run(events: list[LedgerEvent], rules: RulesConfig = RULES) -> tuple[Profile, list[Alert]]:
    profile = Profile(events[0].account_id)
    alerts: list[Alert] = []
    for event in events:
        profile, raised = evaluate(profile, event, rules)
        alerts += raised
    return profile, alerts


def normal(days: int = 40) -> Story:
    """A quiet account: one payment a day, 50.00-79.00, two usual payees."""
    s = Story()
    for d in range(days):
        amount = 5000 + (d * 37) % 2900
        if d % 3 == 0:
            s.transfer(d * DAY + 600, amount, "P1" if d % 2 else "P2")
        else:
            s.debit(d * DAY + 600, amount)
    return s


def only(alerts: list[Alert], rule: str) -> Alert:
    assert [a.rule for a in alerts] == [rule], [a.as_dict() for a in alerts]
    return alerts[0]


def test_given_a_normal_history_then_no_rule_fires() -> None:
    assert run(normal().events)[1] == []


def test_given_eleven_payments_in_an_hour_then_velocity_fires_once_with_them() -> None:
    s = normal()
    for i in range(13):
        s.debit(41 * DAY + i * 3, 4000 + i)
    alert = only(run(s.events)[1], "velocity")
    assert alert.evidence == tuple(e.txn_id for e in s.events[-13:-2])  # the first 11
    assert alert.risk_score == RULES.velocity.score
    assert alert.window_start.endswith(":00:00Z")


def test_given_four_declines_in_an_hour_then_decline_velocity_fires() -> None:
    s = normal()
    for i in range(4):
        s.declined(41 * DAY + i * 5, 900_000)
    alert = only(run(s.events)[1], "decline_velocity")
    assert len(alert.evidence) == 4


def test_given_five_small_debits_in_ten_minutes_then_the_burst_fires() -> None:
    s = normal()
    for i in range(5):
        s.debit(41 * DAY + i, 199 + i)
    assert len(only(run(s.events)[1], "small_debit_burst").evidence) == 5


def test_given_the_same_amount_four_times_in_a_day_then_repeated_amount_fires() -> None:
    s = normal()
    for i in range(4):
        s.debit(41 * DAY + i * 60, 9999)
    assert len(only(run(s.events)[1], "repeated_amount").evidence) == 4


def test_given_an_amount_far_above_the_usual_then_the_spike_fires_with_a_higher_score() -> None:
    s = normal()
    s.debit(41 * DAY, 500_000)
    alert = only(run(s.events)[1], "amount_spike")
    assert alert.evidence == (s.events[-1].txn_id,)
    assert alert.risk_score > RULES.amount_spike.score


def test_given_a_payment_after_100_quiet_days_then_dormant_fires() -> None:
    s = normal(5)
    s.debit(105 * DAY, 6000)
    alert = only(run(s.events)[1], "dormant")
    assert alert.evidence == (s.events[-1].txn_id,)


def test_given_transfers_to_four_new_payees_in_a_day_then_fan_out_fires() -> None:
    s = normal()
    for i in range(4):
        s.transfer(41 * DAY + i * 30, 6000 + i, f"NEW{i}")
    assert len(only(run(s.events)[1], "fan_out").evidence) == 4


def test_given_a_disabled_rule_or_a_higher_threshold_then_it_stays_silent() -> None:
    s = normal()
    for i in range(13):
        s.debit(41 * DAY + i * 3, 4000 + i)
    assert run(s.events, parse_rules({"velocity": {"enabled": False}}))[1] == []
    assert run(s.events, parse_rules({"velocity": {"max_txns": 20}}))[1] == []


def test_given_the_same_evidence_then_the_alert_id_is_the_same_and_differs_otherwise() -> None:
    assert alert_id("velocity", "A1", ("T1", "T2")) == alert_id("velocity", "A1", ("T1", "T2"))
    assert alert_id("velocity", "A1", ("T1", "T2")) != alert_id("velocity", "A1", ("T1", "T3"))
    assert alert_id("velocity", "A1", ("T1",)) != alert_id("dormant", "A1", ("T1",))


def test_given_a_profile_when_stored_as_json_then_it_reads_back_equal() -> None:
    profile, _ = run(normal().events)
    assert Profile.from_doc(json.loads(json.dumps(profile.to_doc()))) == profile
    assert profile.n > 0 and profile.applied_seq == len(normal().events) - 1


@st.composite
def normal_histories(draw: st.DrawFn) -> list[LedgerEvent]:
    """Payments 8 hours to 29 days apart (at most 3 a day), 50.00-150.00, two payees."""
    s = Story()
    minute = 0.0
    for _ in range(draw(st.integers(0, 60))):
        minute += draw(st.floats(min_value=480, max_value=29 * DAY))
        amount = draw(st.integers(5000, 15000))
        if draw(st.booleans()):
            s.transfer(minute, amount, draw(st.sampled_from(["P1", "P2"])))
        elif draw(st.booleans()):
            s.credit(minute, amount)
        else:
            s.debit(minute, amount)
    return s.events


@given(normal_histories())
@settings(max_examples=150, deadline=None)
def test_given_any_normal_history_then_nothing_is_raised(events: list[LedgerEvent]) -> None:
    assert run(events)[1] == []


@pytest.mark.parametrize(
    ("text", "suffix"),
    [
        ('{"velocity": {"max_txns": 2.5}}', ".json"),
        ('{"velocity": {"nope": 1}}', ".json"),
        ('{"unknown_rule": {}}', ".json"),
        ("[velocity]\nmax_txns = 0\n", ".toml"),
        ("[velocity\n", ".toml"),
        ("[1, 2]", ".json"),
    ],
)
def test_given_a_bad_rules_file_then_it_is_refused(tmp_path: Path, text: str, suffix: str) -> None:
    path = tmp_path / f"rules{suffix}"
    path.write_text(text)
    with pytest.raises(InvalidInput):
        load_rules(path)


def test_given_a_rules_file_then_it_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[velocity]\nmax_txns = 3\n[amount_spike]\nmin_z = 3\n")
    rules = rules_from_env({"ACME_FRAUD_RULES": str(path)})
    assert rules.velocity.max_txns == 3 and rules.amount_spike.min_z == 3.0
    assert rules.dormant == RulesConfig().dormant
    assert rules_from_env({}) == RulesConfig()
    with pytest.raises(InvalidInput):
        rules_from_env({"ACME_FRAUD_RULES": str(tmp_path / "missing.toml")})


def backdated_burst(n: int = 30) -> list[LedgerEvent]:
    """``n`` transfers of 300.00 to new payees recorded within one real minute, each dated
    25 hours before the next (the client's claim)."""
    s = Story()
    for i in range(n):
        s.transfer(i * 1500, 30_000, f"NEW{i}")
    recorded = s.events[0].occurred_at + timedelta(days=n + 2)
    return [replace(e, recorded_at=recorded + timedelta(seconds=2 * e.seq)) for e in s.events]


def test_given_a_burst_dated_apart_then_the_rules_window_on_recorded_at() -> None:
    alerts = run(backdated_burst())[1]
    assert {"velocity", "fan_out", "repeated_amount"} <= {a.rule for a in alerts}


def test_given_a_backdated_event_in_the_evidence_then_the_alert_says_so() -> None:
    events = backdated_burst()
    alert = next(a for a in run(events)[1] if a.rule == "velocity")
    first = events[1]
    assert "backdated" in alert.detail and first.txn_id in alert.detail
    assert first.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ") in alert.detail


def test_given_events_recorded_when_they_occurred_then_no_backdated_note() -> None:
    s = Story()
    for i in range(13):
        s.debit(41 * DAY + i * 3, 4000 + i)
    events = [replace(e, recorded_at=e.occurred_at) for e in s.events]
    alert = only(run(events)[1], "velocity")
    assert "backdated" not in alert.detail
