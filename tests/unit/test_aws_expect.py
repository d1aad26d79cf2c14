"""GIVEN a botocore error whose code a caller handles WHEN it passes ``acme_base.aws.call``
THEN it arrives as a typed error of ours, so no caller outside ``acme_base.aws`` reads
``ClientError`` codes.

The stub functions only raise one error (an error path, never DynamoDB behaviour)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from acme_base.aws import call
from acme_base.errors import BackendError, ConditionFailed, TableMissing
from acme_base.settings import Settings
from acme_base.tables import TableExists, delete_tables, ensure_table, streams_spec
from streams.shards import READ_ERRORS, ExpiredIterator, ShardGone, TrimmedData


def _error(code: str, **extra: Any) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, **extra}, "Op")


def _raises(error: Exception) -> Any:
    def fn(**_kwargs: Any) -> Any:
        raise error

    return fn


def test_given_a_failed_condition_then_condition_failed_carries_the_old_item() -> None:
    old = {"PK": {"S": "ESM#p"}, "lease_owner": {"S": "other"}, "n": {"N": "3"}}
    with pytest.raises(ConditionFailed) as failure:
        call("acquire lease", _raises(_error("ConditionalCheckFailedException", Item=old)))
    assert failure.value.item == {"PK": "ESM#p", "lease_owner": "other", "n": 3}
    assert isinstance(failure.value, BackendError)  # still a backend error to older callers
    assert "acquire lease" in str(failure.value)


def test_given_a_failed_condition_without_return_values_then_the_item_is_none() -> None:
    with pytest.raises(ConditionFailed) as failure:
        call("put", _raises(_error("ConditionalCheckFailedException")))
    assert failure.value.item is None


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("ExpiredIteratorException", ExpiredIterator),
        ("TrimmedDataAccessException", TrimmedData),
        ("ResourceNotFoundException", ShardGone),
    ],
)
def test_given_an_expected_code_then_the_callers_error_is_raised(
    code: str, error: type[Exception]
) -> None:
    with pytest.raises(error, match="get records: " + code) as failure:
        call("get records", _raises(_error(code)), expect=READ_ERRORS)
    assert isinstance(failure.value.__cause__, ClientError)  # raised ... from exc


def test_given_an_unexpected_code_then_the_usual_translation_applies() -> None:
    with pytest.raises(TableMissing):
        call("read", _raises(_error("ResourceNotFoundException")), expect={"X": TableExists})


class _TableClient:
    """create_table/delete_table raise ``error``; the rest answers like an ACTIVE table."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def create_table(self, **_kwargs: Any) -> None:
        raise self.error

    delete_table = create_table

    def get_waiter(self, _name: str) -> Any:
        return type("Waiter", (), {"wait": staticmethod(lambda **_kw: None)})()

    def describe_table(self, **_kwargs: Any) -> dict[str, Any]:
        return {"Table": {}}


def test_given_an_existing_table_when_ensured_then_it_is_reported_as_existing() -> None:
    client = _TableClient(_error("ResourceInUseException"))
    assert ensure_table(client, streams_spec(Settings())) == "exists"


def test_given_missing_tables_when_deleted_then_nothing_is_raised() -> None:
    delete_tables(_TableClient(_error("ResourceNotFoundException")), Settings())
    with pytest.raises(BackendError, match="AccessDenied"):
        delete_tables(_TableClient(_error("AccessDeniedException")), Settings())
