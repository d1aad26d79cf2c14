"""The DynamoDB eventsourcing module's pure parts: packing, chunking, grouping calls."""

from __future__ import annotations

import uuid

from eventsourcing.persistence import StoredEvent, Tracking
from hypothesis import given
from hypothesis import strategies as st

from eventsourcing_dynamodb import layout
from eventsourcing_dynamodb.actions import Call
from eventsourcing_dynamodb.group import Pending, take_group


def _events(n: int, size: int = 10, oid: uuid.UUID | str | None = None) -> list[StoredEvent]:
    oid = oid or uuid.uuid4()
    return [StoredEvent(oid, v, "t", b"x" * size) for v in range(1, n + 1)]


def test_pack_round_trips_uuid_and_text_ids() -> None:
    for event in (_events(1)[0], _events(1, oid="order-7")[0]):
        assert layout.unpack(layout.pack(event)) == event


def test_chunks_keep_order_and_stay_under_the_limit() -> None:
    events = _events(100, size=1000)
    runs = list(layout.chunks(events, limit=10_000))
    assert [e for run in runs for e in run] == events
    assert all(sum(layout.event_bytes(e) for e in run) <= 10_000 for run in runs)
    per_run = 10_000 // layout.event_bytes(events[0])
    assert len(runs) == -(-100 // per_run)  # full runs but the last


def test_a_call_claims_each_aggregate_once_with_its_span() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    events = [*_events(3, oid=a), *_events(2, oid=b)]
    call = Call.prepare("tbl", "app", events, Tracking("up", 4))
    assert call.spans == {str(a): (1, 3), str(b): (1, 2)}
    assert len(call.actions) == 5  # two heads, two packed items, the tracking
    assert call.behind({str(a): 1})
    assert not call.behind({str(a): 0, str(b): 0})


def test_a_group_skips_a_call_on_the_same_item_and_keeps_arrival_order() -> None:
    oid = uuid.uuid4()
    first = Pending(Call.prepare("tbl", "app", _events(1, oid=oid), None))
    same = Pending(Call.prepare("tbl", "app", _events(1, oid=oid), None))
    other = Pending(Call.prepare("tbl", "app", _events(1), None))
    group, rest = take_group([first, same, other])
    assert group == [first, other]
    assert rest == [same]


def test_a_group_stays_within_one_transaction() -> None:
    calls = [Pending(Call.prepare("tbl", "app", _events(1), None)) for _ in range(80)]
    group, rest = take_group(calls)
    assert len(group) * 2 + 2 <= layout.MAX_ACTIONS
    assert group + rest == calls


@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(1, 40), st.integers(0, 3000)),
        min_size=1,
        max_size=60,
    )
)
def test_groups_hold_distinct_items_within_limits_and_lose_no_call(
    shapes: list[tuple[int, int, int]],
) -> None:
    """Any queue (calls on a few shared aggregates, of any size) is drained group by group:
    every call exactly once, each group within one transaction and without a repeated item."""
    oids = [uuid.uuid4() for _ in range(6)]
    queue = [
        Pending(Call.prepare("tbl", "app", _events(n, size=size, oid=oids[which]), None))
        for which, n, size in shapes
    ]
    drained: list[Pending] = []
    rest = queue
    while rest:
        group, rest = take_group(rest)
        assert group
        keys = [k for p in group for k in p.call.keys]
        assert len(keys) == len(set(keys))
        if len(group) > 1:
            actions = sum(len(p.call.actions) for p in group)
            assert actions + 2 <= layout.MAX_ACTIONS
        drained.extend(group)
    assert sorted(map(id, drained)) == sorted(map(id, queue))
