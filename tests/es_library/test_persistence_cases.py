"""The eventsourcing library's own persistence test cases, unchanged, on DynamoDB Local."""

from __future__ import annotations

import os

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    ProcessRecorder,
    TrackingRecorder,
)
from eventsourcing.tests import persistence as cases
from eventsourcing.utils import Environment

from eventsourcing_dynamodb import (
    DynamoDBAggregateRecorder,
    DynamoDBApplicationRecorder,
    DynamoDBFactory,
    DynamoDBProcessRecorder,
    DynamoDBTrackingRecorder,
)
from tests.es_library.support import OtherTrackingRecorder, new_factory


class TestAggregateRecorder(cases.AggregateRecorderTestCase):
    def create_recorder(self) -> AggregateRecorder:
        return new_factory().aggregate_recorder()


class TestApplicationRecorder(cases.ApplicationRecorderTestCase[DynamoDBApplicationRecorder]):
    def create_recorder(self) -> DynamoDBApplicationRecorder:
        recorder = new_factory().application_recorder()
        assert isinstance(recorder, DynamoDBApplicationRecorder)
        return recorder

    def test_insert_subscribe(self) -> None:
        """The library's optional subscription test, run as its own modules run it."""
        self.optional_test_insert_subscribe()


class TestTrackingRecorder(cases.TrackingRecorderTestCase):
    def create_recorder(self) -> TrackingRecorder:
        return new_factory().tracking_recorder()


class TestProcessRecorder(cases.ProcessRecorderTestCase):
    def create_recorder(self) -> ProcessRecorder:
        return new_factory().process_recorder()


class TestNonInterleavingNotificationIDs(cases.NonInterleavingNotificationIDsBaseCase):
    def create_recorder(self) -> ApplicationRecorder:
        return new_factory().application_recorder()


class TestInfrastructureFactory(cases.InfrastructureFactoryTestCase[DynamoDBFactory]):
    def setUp(self) -> None:
        self.env = Environment("TestCase", dict(os.environ))
        super().setUp()

    def expected_factory_class(self) -> type[DynamoDBFactory]:
        return DynamoDBFactory

    def expected_aggregate_recorder_class(self) -> type[AggregateRecorder]:
        return DynamoDBAggregateRecorder

    def expected_application_recorder_class(self) -> type[ApplicationRecorder]:
        return DynamoDBApplicationRecorder

    def expected_tracking_recorder_class(self) -> type[TrackingRecorder]:
        return DynamoDBTrackingRecorder

    def tracking_recorder_subclass(self) -> type[TrackingRecorder]:
        return OtherTrackingRecorder

    def expected_process_recorder_class(self) -> type[ProcessRecorder]:
        return DynamoDBProcessRecorder
