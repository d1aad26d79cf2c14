"""The eventsourcing library's own application test cases (its example application among
them), unchanged, with ``PERSISTENCE_MODULE=eventsourcing_dynamodb`` on DynamoDB Local."""

from __future__ import annotations

from eventsourcing.tests import application as cases


class TestExampleApplication(cases.ExampleApplicationTestCase):
    expected_factory_topic = "eventsourcing_dynamodb.factory:DynamoDBFactory"


class TestApplication(cases.ApplicationTestCase):
    pass
