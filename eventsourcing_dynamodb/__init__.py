"""A persistence module for the eventsourcing library on DynamoDB.

Select it the library's way: ``PERSISTENCE_MODULE=eventsourcing_dynamodb`` (see
docs/eventsourcing.md for the table, the guarantees and the costs).
"""

from eventsourcing_dynamodb.factory import DynamoDBFactory
from eventsourcing_dynamodb.recorders import (
    DynamoDBAggregateRecorder,
    DynamoDBApplicationRecorder,
    DynamoDBProcessRecorder,
    DynamoDBTrackingRecorder,
)

__all__ = [
    "DynamoDBAggregateRecorder",
    "DynamoDBApplicationRecorder",
    "DynamoDBFactory",
    "DynamoDBProcessRecorder",
    "DynamoDBTrackingRecorder",
]
