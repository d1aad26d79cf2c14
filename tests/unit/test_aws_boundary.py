"""GIVEN settings from the environment, or a botocore error at the boundary WHEN clients are
made or the error is translated THEN credentials, endpoints and error classes are the right ones.

The stub clients below only raise one error (an error path, never DynamoDB behaviour)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from acme_base.aws import make_session, streams_client, translate
from acme_base.errors import BackendUnavailable, Throttled
from acme_base.settings import Settings
from acme_base.tables import delete_tables
from acme_txn.workload import WorkloadSpec, mixed_commands
from processor.domain.events import FundsCredited
from processor.domain.money import format_minor
from processor.storage.store import DynamoEventStore

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}


def test_given_temporary_credentials_in_the_environment_then_the_session_token_is_used() -> None:
    # Lambda (and STS/SSO shells) export AWS_SESSION_TOKEN with the key pair: without the
    # token every call fails with "The security token included in the request is invalid".
    settings = Settings.from_env({**CREDENTIALS, "AWS_SESSION_TOKEN": "token-123"})
    credentials = make_session(settings).get_credentials()
    assert (credentials.access_key, credentials.token) == ("AKIAEXAMPLE", "token-123")


def test_given_a_streams_endpoint_variable_then_the_streams_client_uses_it() -> None:
    env = {
        **CREDENTIALS,
        "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000",
        "AWS_ENDPOINT_URL_DYNAMODBSTREAMS": "http://127.0.0.1:8001",
    }
    assert streams_client(Settings.from_env(env)).meta.endpoint_url == "http://127.0.0.1:8001"
    # --endpoint-url (an override) serves both services, as does a local server
    flag = Settings.from_env(env, endpoint_url="http://127.0.0.1:9000")
    assert streams_client(flag).meta.endpoint_url == "http://127.0.0.1:9000"
    local = Settings.from_env(env).for_local("http://127.0.0.1:9001")
    assert streams_client(local).meta.endpoint_url == "http://127.0.0.1:9001"


def _cancelled(*codes: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "x"},
            "CancellationReasons": [{"Code": c} for c in codes],
        },
        "TransactWriteItems",
    )


class _Raising:
    """A client whose every call raises ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __getattr__(self, name: str) -> Any:
        def call(**_kwargs: Any) -> Any:
            raise self.error

        return call


def _credit() -> FundsCredited:
    return FundsCredited(
        account_id="A1",
        seq=1,
        txn_id="T1",
        currency="USD",
        amount=100,
        balance_after=100,
        occurred_at=datetime(2022, 6, 19, tzinfo=UTC),
    )


def test_given_a_transaction_cancelled_by_throttling_then_it_is_throttled() -> None:
    assert isinstance(translate(_cancelled("None", "ThrottlingError"), "append"), Throttled)
    store = DynamoEventStore(_Raising(_cancelled("ProvisionedThroughputExceeded")), "t-ledger")
    with pytest.raises(Throttled):
        store.append([_credit()], [])


def test_given_an_unreachable_endpoint_when_deleting_tables_then_backend_unavailable() -> None:
    client = _Raising(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))
    with pytest.raises(BackendUnavailable):
        delete_tables(client, Settings())


def test_workload_amounts_are_whole_cents_formatted_exactly() -> None:
    amounts = [c["amount"] for c in mixed_commands(WorkloadSpec(commands=300, seed=3))]
    assert all(a == format_minor(int(a.replace(".", ""))) for a in amounts)


def test_given_two_sessions_then_they_share_one_loader_of_service_models() -> None:
    # botocore parses a service's JSON model once per loader: a loader of their own made each
    # client cost ~70 ms of CPU, paid per App, per CLI run and per test
    first = make_session(Settings.from_env(CREDENTIALS))
    second = make_session(Settings.from_env({**CREDENTIALS, "AWS_SECRET_ACCESS_KEY": "other"}))
    loader = first._session.get_component("data_loader")
    assert second._session.get_component("data_loader") is loader
    assert first.get_credentials().secret_key != second.get_credentials().secret_key
    assert len(loader.search_paths) == len(set(loader.search_paths))  # no path added twice
