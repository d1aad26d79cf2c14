"""Helpers of the library's test cases run on DynamoDB: recorders and a counters view."""

from __future__ import annotations

import os
import uuid
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.tests.projection import EventCountersView
from eventsourcing.utils import Environment

from acme_base.aws import call
from eventsourcing_dynamodb import DynamoDBFactory, DynamoDBTrackingRecorder


def new_factory() -> DynamoDBFactory:
    """A factory for a fresh application name (its own stored events and log)."""
    return DynamoDBFactory(Environment(f"app{uuid.uuid4().hex[:8]}", dict(os.environ)))


class DynamoDBEventCounters(DynamoDBTrackingRecorder, EventCountersView):
    """The library's event counters view: counts updated atomically with tracking."""

    def _key(self) -> dict[str, Any]:
        return {"PK": {"S": f"{self.scope}#V#counters"}, "SK": {"N": "0"}}

    def _count(self, name: str) -> int:
        resp = call(
            "read counters",
            self.client.get_item,
            TableName=self.table,
            Key=self._key(),
            ConsistentRead=True,
        )
        return int((resp.get("Item") or {}).get(name, {"N": "0"})["N"])

    def _incr(self, name: str, tracking: Tracking) -> None:
        add = {
            "Update": {
                "TableName": self.table,
                "Key": self._key(),
                "UpdateExpression": "ADD #c :one",
                "ExpressionAttributeNames": {"#c": name},
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        }
        self.insert_tracking_with(tracking, [add])

    def get_created_event_counter(self) -> int:
        return self._count("created")

    def get_subsequent_event_counter(self) -> int:
        return self._count("subsequent")

    def incr_created_event_counter(self, tracking: Tracking) -> None:
        self._incr("created", tracking)

    def incr_subsequent_event_counter(self, tracking: Tracking) -> None:
        self._incr("subsequent", tracking)


class OtherTrackingRecorder(DynamoDBTrackingRecorder):
    """A subclass the factory test selects by argument and by topic."""
