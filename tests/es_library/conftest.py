"""The library's test cases are unittest classes that read their settings from os.environ
(as the library's own modules' tests do): point them at this run's DynamoDB Local, with a
fresh table per test, and select the module the library's way."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from acme_base.settings import LOCAL_ACCESS_KEY


@pytest.fixture(autouse=True)
def eventsourcing_env(ddb_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    table = f"es-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", ddb_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", LOCAL_ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", LOCAL_ACCESS_KEY)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing_dynamodb")
    monkeypatch.setenv("DYNAMODB_TABLE", table)
    yield table
