"""What the library's cases do not reach: DynamoDB's item and transaction limits, the group
commit's failure isolation, several processes on one log, readers never seeing a hole."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from eventsourcing.persistence import DataError, IntegrityError, StoredEvent, Tracking

from eventsourcing_dynamodb import DynamoDBApplicationRecorder, DynamoDBProcessRecorder
from eventsourcing_dynamodb.layout import ITEM_BYTES
from tests.es_library.support import new_factory


def _events(oid: uuid.UUID, n: int, size: int = 5, start: int = 1) -> list[StoredEvent]:
    return [StoredEvent(oid, v, "topic", bytes([v % 251]) * size) for v in range(start, start + n)]


def _app_recorder() -> DynamoDBApplicationRecorder:
    recorder = new_factory().application_recorder()
    assert isinstance(recorder, DynamoDBApplicationRecorder)
    return recorder


def _items(recorder: DynamoDBApplicationRecorder) -> list[dict[str, Any]]:
    resp = recorder.client.scan(TableName=recorder.table)
    return [i for i in resp["Items"] if i["PK"]["S"].startswith(recorder.scope + "#")]


def test_a_call_larger_than_one_item_is_split_and_stays_atomic() -> None:
    recorder = _app_recorder()
    oid = uuid.uuid4()
    events = _events(oid, 1000, size=700)  # ~0.75 MB: several packed items each side
    assert recorder.insert_events(events) == list(range(1, 1001))
    assert [e.originator_version for e in recorder.select_events(oid)] == list(range(1, 1001))
    packed = [i for i in _items(recorder) if "e" in i]
    assert len(packed) > 2 * (1000 * 700 // ITEM_BYTES)
    # a second call overlapping the last item of the first fails whole
    with pytest.raises(IntegrityError):
        recorder.insert_events(_events(oid, 1000, size=700, start=1000))
    assert recorder.max_notification_id() == 1000
    got = recorder.select_events(oid, gt=450, lte=460)
    assert [e.originator_version for e in got] == list(range(451, 461))
    got = recorder.select_events(oid, lte=900, desc=True, limit=3)
    assert [e.originator_version for e in got] == [900, 899, 898]


def test_a_call_beyond_one_transaction_is_refused_whole() -> None:
    recorder = _app_recorder()
    oid = uuid.uuid4()
    with pytest.raises(DataError):
        recorder.insert_events(_events(oid, 2000, size=1000))  # ~2 MB, stored twice
    many = [StoredEvent(uuid.uuid4(), 1, "t", b"s") for _ in range(60)]  # 60 aggregates
    with pytest.raises(DataError):
        recorder.insert_events(many)
    assert recorder.max_notification_id() is None
    assert _items(recorder) == []


def test_a_conflicting_call_fails_alone_in_its_group() -> None:
    recorder = _app_recorder()
    taken = uuid.uuid4()
    recorder.insert_events(_events(taken, 1))
    other = _app_recorder()  # another process: its known heads do not include ``taken``
    other.scope = recorder.scope
    calls = [_events(uuid.uuid4(), 3) for _ in range(12)] + [_events(taken, 2)]

    def insert(events: list[StoredEvent]) -> Any:
        try:
            return other.insert_events(events)
        except IntegrityError as exc:
            return exc

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(insert, calls))
    assert isinstance(results[-1], IntegrityError)
    ids = sorted(i for r in results[:-1] for i in r)
    assert ids == list(range(2, 2 + 36))


def test_two_processes_share_one_log_without_gaps_or_repeats() -> None:
    first = _app_recorder()
    second = _app_recorder()
    second.scope = first.scope
    work = [(first if i % 2 else second, 1 + i % 5) for i in range(20)]  # uneven commits

    def insert(job: tuple[DynamoDBApplicationRecorder, int]) -> Any:
        recorder, n = job
        return recorder.insert_events(_events(uuid.uuid4(), n))

    with ThreadPoolExecutor(6) as pool:
        ids = sorted(i for r in pool.map(insert, work) for i in r)
    assert ids == list(range(1, 1 + sum(n for _, n in work)))
    notes = first.select_notifications(None, 100)
    assert [n.id for n in notes] == ids


def test_readers_never_see_a_later_id_before_an_earlier_one() -> None:
    recorder = _app_recorder()
    done = threading.Event()
    holes: list[list[int]] = []

    def read() -> None:
        while not done.is_set():
            ids = [n.id for n in recorder.select_notifications(None, 10_000)]
            if ids != list(range(1, len(ids) + 1)):
                holes.append(ids)

    reader = threading.Thread(target=read)
    reader.start()
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda _: recorder.insert_events(_events(uuid.uuid4(), 5)), range(40)))
    done.set()
    reader.join()
    assert holes == []
    assert recorder.max_notification_id() == 200


def test_tracking_is_atomic_with_the_process_events() -> None:
    recorder = new_factory().process_recorder()
    assert isinstance(recorder, DynamoDBProcessRecorder)
    recorder.insert_events(_events(uuid.uuid4(), 2), tracking=Tracking("up", 5))
    oid = uuid.uuid4()
    with pytest.raises(IntegrityError):
        recorder.insert_events(_events(oid, 2), tracking=Tracking("up", 5))
    assert recorder.select_events(oid) == []
    assert recorder.max_notification_id() == 2
    assert recorder.max_tracking_id("up") == 5
