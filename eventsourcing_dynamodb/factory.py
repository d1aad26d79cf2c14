"""The infrastructure factory: ``PERSISTENCE_MODULE=eventsourcing_dynamodb``.

Settings come from the environment the library passes in (the application's name prefixes
win, as for every library setting): ``DYNAMODB_TABLE`` (default ``eventsourcing``),
``CREATE_TABLE`` (default yes), and the usual AWS variables (``AWS_ENDPOINT_URL``,
``AWS_REGION``, credentials); what is not there boto3 finds its usual way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    InfrastructureFactory,
    ProcessRecorder,
)
from eventsourcing.utils import Environment, EnvType, resolve_topic, strtobool

from acme_base.aws import dynamodb_client
from acme_base.settings import Settings
from acme_base.tables import TableSpec, ensure_table
from eventsourcing_dynamodb.recorders import (
    DynamoDBAggregateRecorder,
    DynamoDBApplicationRecorder,
    DynamoDBProcessRecorder,
    DynamoDBRecorder,
    DynamoDBTrackingRecorder,
    translated,
)

DEFAULT_TABLE = "eventsourcing"
R = TypeVar("R", bound=DynamoDBRecorder)
_AWS_KEYS = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)


def table_spec(name: str) -> TableSpec:
    """One table for every application: string partition key, numeric sort key, on demand."""
    return TableSpec(
        name=name,
        definition={
            "AttributeDefinitions": [
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "N"},
            ],
            "KeySchema": [
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )


def settings_from(env: Environment) -> Settings:
    """The AWS settings named in the library's environment (others: boto3's defaults)."""
    found: Mapping[str, str] = {k: v for k in _AWS_KEYS if (v := env.get(k))}
    return Settings.from_env(found)


class DynamoDBFactory(InfrastructureFactory[DynamoDBTrackingRecorder]):
    DYNAMODB_TABLE = "DYNAMODB_TABLE"
    CREATE_TABLE = "CREATE_TABLE"

    aggregate_recorder_class = DynamoDBAggregateRecorder
    application_recorder_class = DynamoDBApplicationRecorder
    tracking_recorder_class = DynamoDBTrackingRecorder
    process_recorder_class = DynamoDBProcessRecorder

    def __init__(self, env: Environment | EnvType | None):
        super().__init__(env)
        self.table = self.env.get(self.DYNAMODB_TABLE) or DEFAULT_TABLE
        self.client: Any = dynamodb_client(settings_from(self.env))
        self._table_ready = False

    @property
    def scope(self) -> str:
        """The application's own part of the table (its name, as the library gives it)."""
        return self.env.name or "_"

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        scope = self.scope if purpose == "events" else f"{self.scope}.{purpose}"
        return self._made(self.aggregate_recorder_class, scope)

    def application_recorder(self) -> ApplicationRecorder:
        cls = self._topic_class(self.APPLICATION_RECORDER_TOPIC, self.application_recorder_class)
        return self._made(cls, self.scope)

    def tracking_recorder(
        self, tracking_recorder_class: type[DynamoDBTrackingRecorder] | None = None
    ) -> DynamoDBTrackingRecorder:
        cls = tracking_recorder_class or self._topic_class(
            self.TRACKING_RECORDER_TOPIC, self.tracking_recorder_class
        )
        return self._made(cls, self.scope)

    def process_recorder(self) -> ProcessRecorder:
        cls = self._topic_class(self.PROCESS_RECORDER_TOPIC, self.process_recorder_class)
        return self._made(cls, self.scope)

    def _topic_class(self, key: str, default: type[R]) -> type[R]:
        topic = self.env.get(key)
        cls = resolve_topic(topic) if topic else default
        if not (isinstance(cls, type) and issubclass(cls, default)):
            raise TypeError(f"{key}={topic!r} is not a subclass of {default.__name__}")
        return cls

    def _made(self, cls: type[R], scope: str) -> R:
        if self.env_create_table() and not self._table_ready:
            with translated(f"create table {self.table}"):
                ensure_table(self.client, table_spec(self.table))
            self._table_ready = True
        return cls(self.client, self.table, scope)

    def env_create_table(self) -> bool:
        return bool(strtobool(self.env.get(self.CREATE_TABLE) or "yes"))

    def close(self) -> None:
        self.client.close()


Factory = DynamoDBFactory
