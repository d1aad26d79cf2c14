"""The TransactWriteItems actions of a call (pure): conditional claims, packed puts.

Every write is conditional: an aggregate's head only moves up (``last < first`` of the
call), a packed item is never overwritten, the log head moves from the value the writer
read, and tracking only moves up. So a taken position fails the whole transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import StoredEvent, Tracking

from eventsourcing_dynamodb import layout

Action = dict[str, Any]
_LAST = {"#l": "last"}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def raise_to(table: str, key: dict[str, Any], last: int, below: int) -> Action:
    """Set ``last`` of the item to ``last`` if it is missing or lower than ``below``."""
    return {
        "Update": {
            "TableName": table,
            "Key": key,
            "UpdateExpression": "SET #l = :last",
            "ConditionExpression": "attribute_not_exists(#l) OR #l < :below",
            "ExpressionAttributeNames": _LAST,
            "ExpressionAttributeValues": {":last": _n(last), ":below": _n(below)},
        }
    }


def put_packed(table: str, pk: str, sk: int, events: Sequence[StoredEvent], **extra: Any) -> Action:
    """A new item holding ``events`` packed; fails if the key is taken."""
    item = {"PK": {"S": pk}, "SK": _n(sk), "e": {"L": [layout.pack(e) for e in events]}}
    item.update(extra)
    return {
        "Put": {
            "TableName": table,
            "Item": item,
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def aggregate_actions(table: str, scope: str, events: Sequence[StoredEvent]) -> list[Action]:
    """Per aggregate of the call: its head raised past the call's versions, and the packed
    events (one item, or a few if they exceed the item limit)."""
    actions: list[Action] = []
    for group in layout.by_originator(events).values():
        oid = group[0].originator_id
        first, last = group[0].originator_version, group[-1].originator_version
        actions.append(raise_to(table, layout.head_key(scope, oid), last, below=first))
        pk = layout.events_pk(scope, oid)
        for run in layout.chunks(group):
            actions.append(put_packed(table, pk, run[0].originator_version, run))
    return actions


def tracking_action(table: str, scope: str, tracking: Tracking) -> Action:
    key = layout.tracking_key(scope, tracking.application_name)
    nid = tracking.notification_id
    return raise_to(table, key, nid, below=nid)


def log_actions(table: str, scope: str, last: int, events: Sequence[StoredEvent]) -> list[Action]:
    """The log head moved from ``last`` (as read) by len(events), and the events packed in
    log order into items keyed by their last notification id."""
    new_last = last + len(events)
    head: Action = {
        "Update": {
            "TableName": table,
            "Key": layout.log_head_key(scope),
            "UpdateExpression": "SET #l = :new",
            "ConditionExpression": (
                "attribute_not_exists(#l) OR #l = :old" if last == 0 else "#l = :old"
            ),
            "ExpressionAttributeNames": _LAST,
            "ExpressionAttributeValues": {":new": _n(new_last), ":old": _n(last)},
        }
    }
    actions = [head]
    nid = last + 1
    pk = layout.log_pk(scope)
    for run in layout.chunks(events):
        actions.append(put_packed(table, pk, nid + len(run) - 1, run, f=_n(nid)))
        nid += len(run)
    return actions


@dataclass
class Call:
    """One ``insert_events`` call, prepared: its own actions (aggregates, tracking), the
    keys they touch and its estimated size; the log's actions are added per group."""

    events: Sequence[StoredEvent]
    actions: list[Action]
    keys: set[tuple[str, str]] = field(default_factory=set)
    size: int = 0
    #: per aggregate of the call: its first and last version
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def prepare(
        cls, table: str, scope: str, events: Sequence[StoredEvent], tracking: Tracking | None
    ) -> Call:
        actions = aggregate_actions(table, scope, events)
        if tracking is not None:
            actions.append(tracking_action(table, scope, tracking))
        keys = {layout.key_id(_key(a)) for a in actions}
        size = sum(layout.event_bytes(e) for e in events)
        spans = {
            oid: (group[0].originator_version, group[-1].originator_version)
            for oid, group in layout.by_originator(events).items()
        }
        return cls(events=events, actions=actions, keys=keys, size=size, spans=spans)

    def behind(self, heads: Mapping[str, int]) -> bool:
        """Whether a known head already holds one of the call's positions (doomed)."""
        return any(first <= heads.get(oid, first - 1) for oid, (first, _) in self.spans.items())


def _key(action: Action) -> dict[str, Any]:
    body = action.get("Update") or action["Put"]
    if "Key" in body:
        return dict(body["Key"])
    return {"PK": body["Item"]["PK"], "SK": body["Item"]["SK"]}
