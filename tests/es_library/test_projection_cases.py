"""The eventsourcing library's own projection test cases, unchanged, on DynamoDB Local:
views are ``DynamoDBEventCounters`` (counts written atomically with tracking)."""

from __future__ import annotations

import unittest
from typing import ClassVar

from eventsourcing.tests import projection as cases

from eventsourcing_dynamodb import DynamoDBFactory
from tests.es_library.support import DynamoDBEventCounters, new_factory


class TestEventCountersView(cases.EventCountersViewTestCase):
    def construct_event_counters_view(self) -> cases.EventCountersView:
        factory: DynamoDBFactory = new_factory()
        return factory.tracking_recorder(DynamoDBEventCounters)


class TestAggregateEventCountersProjection(cases.AggregateEventCountersProjectionTestCase):
    view_class = DynamoDBEventCounters


@unittest.skip(
    "eventsourcing 9.5.6: ProjectionRunner reads DCBApplication.mapper, which does not exist;"
    " the case fails the same way on the library's own in-memory modules"
)
class TestTaggedDecisionCountersProjection(cases.TaggedDecisionCountersProjectionTestCase):
    """The view on DynamoDB; the DCB application keeps the library's in-memory DCB store
    (a DCB recorder is another interface, which this module does not implement)."""

    view_class = DynamoDBEventCounters
    env: ClassVar[dict[str, str]] = {"DCBAPPLICATION_PERSISTENCE_MODULE": "eventsourcing.dcb.popo"}


class TestEventSourcedProjection(cases.EventSourcedProjectionTestCase):
    pass
