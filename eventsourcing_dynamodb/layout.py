"""Where a recorder's items live in its table and how events are packed into them (pure).

One table (``PK`` string, ``SK`` number) holds every application of a factory; each
recorder owns the keys under its *scope* (the application's name, plus the purpose for an
aggregate recorder such as ``snapshots``):

- ``<scope>#H#<originator id>`` / 0: the aggregate's head, ``last`` = its highest version;
- ``<scope>#A#<originator id>`` / first version of a call: the call's events of that
  aggregate, packed (``e``), split into several items only when they exceed ``ITEM_BYTES``;
- ``<scope>#LOG`` / 0: the notification log's head, ``last`` = the highest notification id;
- ``<scope>#LOG`` / last id of a commit: the commit's events in log order (``e``), the first
  id in ``f``;
- ``<scope>#T#<upstream application>`` / 0: tracking, ``last`` = the highest id processed.

Events are packed as low-level attribute values (a list of maps ``u|o`` id, ``v`` version,
``t`` topic, ``s`` state), so 1,000 small events are one item, not 1,000.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

#: DynamoDB's item limit is 400 KB; a packed item stays below this (estimated) size
ITEM_BYTES = 300_000
#: DynamoDB's transaction limits (100 actions, 4 MB), with room for keys and conditions
MAX_ACTIONS = 100
TXN_BYTES = 3_500_000
#: estimated bytes of one packed event beyond its id, topic and state (names, numbers, map)
EVENT_OVERHEAD = 48

HEAD_SK = 0


def head_key(scope: str, originator_id: UUID | str) -> dict[str, Any]:
    return {"PK": {"S": f"{scope}#H#{originator_id}"}, "SK": {"N": str(HEAD_SK)}}


def events_pk(scope: str, originator_id: UUID | str) -> str:
    return f"{scope}#A#{originator_id}"


def log_pk(scope: str) -> str:
    return f"{scope}#LOG"


def log_head_key(scope: str) -> dict[str, Any]:
    return {"PK": {"S": log_pk(scope)}, "SK": {"N": str(HEAD_SK)}}


def tracking_key(scope: str, application_name: str) -> dict[str, Any]:
    return {"PK": {"S": f"{scope}#T#{application_name}"}, "SK": {"N": str(HEAD_SK)}}


def key_id(key: dict[str, Any]) -> tuple[str, str]:
    """A hashable form of a low-level key (to keep one item once per transaction)."""
    return key["PK"]["S"], key["SK"]["N"]


def event_bytes(event: StoredEvent) -> int:
    return len(str(event.originator_id)) + len(event.topic) + len(event.state) + EVENT_OVERHEAD


def pack(event: StoredEvent) -> dict[str, Any]:
    """One event as a low-level map attribute value."""
    oid = event.originator_id
    id_attr = {"u": {"S": str(oid)}} if isinstance(oid, UUID) else {"o": {"S": str(oid)}}
    return {
        "M": {
            **id_attr,
            "v": {"N": str(event.originator_version)},
            "t": {"S": event.topic},
            "s": {"B": event.state},
        }
    }


def unpack(value: dict[str, Any]) -> StoredEvent:
    m = value["M"]
    oid: UUID | str = UUID(m["u"]["S"]) if "u" in m else m["o"]["S"]
    return StoredEvent(
        originator_id=oid,
        originator_version=int(m["v"]["N"]),
        topic=m["t"]["S"],
        state=bytes(m["s"]["B"]),
    )


def unpack_item(item: dict[str, Any]) -> list[StoredEvent]:
    return [unpack(v) for v in item["e"]["L"]]


def chunks(events: Sequence[StoredEvent], limit: int = ITEM_BYTES) -> Iterator[list[StoredEvent]]:
    """Consecutive runs of events whose packed size stays under ``limit`` (never empty)."""
    run: list[StoredEvent] = []
    size = 0
    for event in events:
        n = event_bytes(event)
        if run and size + n > limit:
            yield run
            run, size = [], 0
        run.append(event)
        size += n
    if run:
        yield run


def by_originator(events: Iterable[StoredEvent]) -> dict[str, list[StoredEvent]]:
    """The events grouped by originator (as a string), each group in version order."""
    groups: dict[str, list[StoredEvent]] = {}
    for event in events:
        groups.setdefault(str(event.originator_id), []).append(event)
    for group in groups.values():
        group.sort(key=lambda e: e.originator_version)
    return groups


def duplicates(events: Sequence[StoredEvent]) -> bool:
    """Whether one (originator, version) appears twice in a call."""
    seen = {(str(e.originator_id), e.originator_version) for e in events}
    return len(seen) < len(events)
