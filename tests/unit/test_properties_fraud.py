"""Laws of the fraud consumer (pure, on the in-memory store): alerts are a function of the
log alone. However the stream delivers it (redelivered records, batches in any order, later
events of an account before earlier ones, with or without tumbling-window state carried
between batches), the alerts raised are exactly those of the log evaluated once, in order."""

from __future__ import annotations

import random
from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from processor.domain.events import LedgerEvent
from projections.fraud.config import RulesConfig
from projections.fraud.engine import FraudEngine
from projections.fraud.memory import MemoryFraudStore
from tests.fraud_support import Story

DAY = 1440


class Log:
    """The log as the engine's gap healing reads it (``EventReader``)."""

    def __init__(self, events: list[LedgerEvent]) -> None:
        self._events = sorted(events, key=lambda e: (e.account_id, e.seq))

    def events(
        self, account_id: str, from_seq: int = 0, to_seq: int | None = None
    ) -> Iterator[LedgerEvent]:
        top = to_seq if to_seq is not None else 1 << 62
        return (e for e in self._events if e.account_id == account_id and from_seq <= e.seq <= top)

    def all_events(self) -> Iterator[LedgerEvent]:
        return iter(self._events)


@st.composite
def suspicious_story(draw: st.DrawFn, account: str) -> list[LedgerEvent]:
    """Quiet payments with bursts, repeats, new payees, spikes and long silences mixed in."""
    s = Story(account)
    minute = 0.0
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(
            st.sampled_from(["pay", "burst", "repeat", "fan", "spike", "declines", "quiet"])
        )
        minute += draw(st.floats(min_value=1, max_value=3 * DAY))
        if kind == "pay":
            s.debit(minute, draw(st.integers(2000, 9000)))
        elif kind == "burst":
            for i in range(draw(st.integers(2, 13))):
                s.debit(minute + i, draw(st.sampled_from([150, 300, 4000])))
        elif kind == "repeat":
            for i in range(draw(st.integers(2, 5))):
                s.debit(minute + i * 60, 7777)
        elif kind == "fan":
            for i in range(draw(st.integers(1, 5))):
                s.transfer(minute + i * 10, 5000, f"{account}-P{draw(st.integers(0, 6))}")
        elif kind == "spike":
            s.debit(minute, 900_000)
        elif kind == "declines":
            for i in range(draw(st.integers(1, 5))):
                s.declined(minute + i * 5, 10**7)
        else:
            minute += 100 * DAY
            s.declined(minute, 10**7)
    return s.events


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[LedgerEvent], list[list[LedgerEvent]]]:
    """A log of 1-3 accounts, and its delivery: redeliveries, shuffled, in random batches."""
    log: list[LedgerEvent] = []
    for i in range(draw(st.integers(1, 3))):
        log += draw(suspicious_story(f"A{i}"))
    rng = random.Random(draw(st.integers(0, 2**32)))
    delivered = log + [e for e in log if rng.random() < 0.3]
    rng.shuffle(delivered)
    sizes = draw(st.lists(st.integers(1, 9), min_size=1, max_size=5))
    batches: list[list[LedgerEvent]] = []
    at = 0
    while at < len(delivered):
        size = sizes[len(batches) % len(sizes)]
        batches.append(delivered[at : at + size])
        at += size
    return log, batches


def alerts_of(engine: FraudEngine) -> list[tuple[str, str, tuple[str, ...], int]]:
    store = engine.store
    assert isinstance(store, MemoryFraudStore)
    found = store._alerts.values()
    return sorted((a.alert_id, a.rule, a.evidence, a.risk_score) for a in found)


@given(deliveries(), st.booleans())
def test_given_any_delivery_then_the_alerts_are_those_of_the_log_in_order(
    case: tuple[list[LedgerEvent], list[list[LedgerEvent]]], windowed: bool
) -> None:
    log, batches = case
    rules = RulesConfig()
    reference = FraudEngine(MemoryFraudStore(), Log(log), rules)
    reference.process(sorted(log, key=lambda e: (e.account_id, e.seq)))
    engine = FraudEngine(MemoryFraudStore(), Log(log), rules)
    state: dict[str, object] | None = {} if windowed else None
    for i, batch in enumerate(batches):
        final = windowed and i % 3 == 2  # a window ends every third batch
        failed, after = engine.process(batch, state, final)
        assert not failed
        state = after if windowed else None
    assert alerts_of(engine) == alerts_of(reference)
    assert engine.raised == reference.raised  # each alert stored once; the rest repeats
