"""boto3 clients, and the one boundary where botocore errors become ours.

Every DynamoDB call of the product goes through ``call``, ``paginate_items`` or
``transact_write`` (the last parses cancellation reasons into typed ``CancelReason``s once),
and items are converted with ``serialize``/``deserialize`` (boto3's own TypeSerializer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import boto3
import botocore.session
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.loaders import Loader, create_loader

from acme_base.errors import (
    AcmeError,
    BackendError,
    BackendUnavailable,
    CancelReason,
    ConditionFailed,
    TableMissing,
    Throttled,
    TransactionCancelled,
)
from acme_base.settings import Settings

THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "LimitExceededException",
    }
)
UNREACHABLE = (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError)
# CancellationReasons codes of a TransactionCanceledException that mean throttling
THROTTLED_ITEM_CODES = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded"})

#: error code -> the error a caller wants for it (made from one message argument), e.g.
#: ``{"ResourceInUseException": TableExists}``: how a caller asks for a specific code
#: without catching botocore's ``ClientError`` outside this module.
Expect = Mapping[str, Callable[[str], AcmeError]]


_LOADERS: list[Loader] = []


def _shared_loader() -> Loader:
    """One loader of botocore's data files per process: it caches the parsed service models,
    which a session of its own would parse again for each client (~70 ms of CPU each)."""
    if not _LOADERS:
        _LOADERS.append(create_loader())
    return _LOADERS[0]


def make_session(settings: Settings) -> boto3.session.Session:
    core = botocore.session.Session()
    loader = _shared_loader()
    core.register_component("data_loader", loader)
    session = boto3.session.Session(
        aws_access_key_id=settings.access_key,
        aws_secret_access_key=settings.secret_key,
        aws_session_token=settings.session_token,
        region_name=settings.region,
        botocore_session=core,
    )
    paths = loader.search_paths  # each boto3 session appends its data path again
    paths[:] = list(dict.fromkeys(paths))
    return session


def client_config(settings: Settings) -> Config:
    return Config(
        retries={"mode": "standard", "max_attempts": settings.max_attempts},
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        max_pool_connections=64,
    )


def dynamodb_client(settings: Settings, session: boto3.session.Session | None = None) -> Any:
    session = session or make_session(settings)
    return session.client(
        "dynamodb", endpoint_url=settings.endpoint_url, config=client_config(settings)
    )


def streams_client(settings: Settings, session: boto3.session.Session | None = None) -> Any:
    session = session or make_session(settings)
    return session.client(
        "dynamodbstreams",
        endpoint_url=settings.streams_endpoint_url or settings.endpoint_url,
        config=client_config(settings),
    )


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def translate(exc: Exception, what: str, expect: Expect | None = None) -> AcmeError:
    """Map a botocore exception to the product's error tree (callers ``raise ... from exc``).

    A code listed in ``expect`` becomes the caller's error; a failed condition is always
    ``ConditionFailed`` (with the old item if the call asked for it).
    """
    if isinstance(exc, UNREACHABLE):
        return BackendUnavailable(f"{what}: DynamoDB endpoint unreachable ({exc})")
    if isinstance(exc, ClientError):
        code = error_code(exc)
        message = exc.response.get("Error", {}).get("Message", "")
        if expect and code in expect:
            return expect[code](f"{what}: {code}: {message}")
        if code == "ConditionalCheckFailedException":
            old = exc.response.get("Item")
            item = deserialize(old) if isinstance(old, dict) else None
            return ConditionFailed(f"{what}: {code}: {message}", item)
        if code == "ResourceNotFoundException":
            return TableMissing(f"{what}: {message or code} (run `acme-txn init`)")
        if code in THROTTLING_CODES or _throttled_transaction(exc):
            return Throttled(f"{what}: throttled by DynamoDB ({code})")
        return BackendError(f"{what}: {code}: {message}")
    return BackendError(f"{what}: {exc}")


def _throttled_transaction(exc: ClientError) -> bool:
    """A transaction cancelled because one of its items was throttled (not a conflict)."""
    reasons = exc.response.get("CancellationReasons") or []
    return error_code(exc) == "TransactionCanceledException" and any(
        isinstance(r, dict) and r.get("Code") in THROTTLED_ITEM_CODES for r in reasons
    )


def paginate_items(
    client: Any, operation: str, what: str, **kwargs: Any
) -> Iterator[dict[str, Any]]:
    """Every raw item of a paginated Query or Scan, with botocore errors translated."""
    try:
        for page in client.get_paginator(operation).paginate(**kwargs):
            yield from page.get("Items", [])
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc, what) from exc


def call(what: str, fn: Any, *, expect: Expect | None = None, **kwargs: Any) -> Any:
    """One DynamoDB call with botocore errors translated (``what`` names it in the message).

    ``expect`` maps error codes the caller handles to its own errors (see ``Expect``).
    """
    try:
        return fn(**kwargs)
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc, what, expect) from exc


_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def serialize(item: dict[str, Any]) -> dict[str, Any]:
    """A plain item to DynamoDB's attribute-value form."""
    return {k: _SERIALIZER.serialize(v) for k, v in item.items()}


def deserialize(image: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB's attribute-value form (an item or a stream image) to a plain item."""
    return {k: _DESERIALIZER.deserialize(v) for k, v in image.items()}


def cancel_reasons(exc: ClientError) -> list[CancelReason]:
    """``CancellationReasons`` of a cancelled transaction, one per action, typed."""
    reasons = []
    for entry in exc.response.get("CancellationReasons") or []:
        raw = entry if isinstance(entry, dict) else {}
        old = raw.get("Item")
        reasons.append(
            CancelReason(
                code=str(raw.get("Code", "None")),
                message=str(raw.get("Message", "")),
                item=deserialize(old) if old else None,
            )
        )
    return reasons


def transact_write(
    client: Any, actions: Sequence[dict[str, Any]], what: str, *, capacity: bool = False
) -> float:
    """One ``TransactWriteItems``; returns the consumed capacity units (0 unless ``capacity``).

    A cancellation raises ``TransactionCancelled`` with its typed reasons (throttled items
    raise ``Throttled``); every other failure is translated like any call.
    """
    kwargs: dict[str, Any] = {"TransactItems": list(actions)}
    if capacity:
        kwargs["ReturnConsumedCapacity"] = "TOTAL"
    try:
        resp = client.transact_write_items(**kwargs)
    except ClientError as exc:
        if error_code(exc) == "TransactionCanceledException" and not _throttled_transaction(exc):
            raise TransactionCancelled(what, cancel_reasons(exc)) from exc
        raise translate(exc, what) from exc
    except BotoCoreError as exc:
        raise translate(exc, what) from exc
    return float(sum(c.get("CapacityUnits", 0) for c in resp.get("ConsumedCapacity", [])))
