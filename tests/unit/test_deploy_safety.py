"""The template keeps the bank: tables holding money or customers survive a stack's deletion
or replacement, are protected and encrypted with a customer-managed key by default; the API's
role cannot rewrite or mass-delete the ledger; the API logs its requests and is throttled,
and cannot starve the other functions of concurrency."""

from __future__ import annotations

import json
from typing import Any

import pytest

from acme_txn.deploy.functions import API_ROUTES
from acme_txn.deploy.template import PARAMETERS, render

#: the tables holding money (the log, the archive, the balances) or customers (the ledger)
KEPT = ("LedgerTable", "ArchiveTable", "ViewsTable")


def resources() -> dict[str, Any]:
    resources: dict[str, Any] = render()["Resources"]
    return resources


@pytest.mark.parametrize("table", KEPT)
def test_given_a_table_of_money_or_customers_then_retained_on_delete_and_replace(
    table: str,
) -> None:
    resource = resources()[table]
    assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_given_no_parameter_then_deletion_protection_is_on() -> None:
    assert PARAMETERS["DeletionProtection"]["Default"] == "true"


@pytest.mark.parametrize("table", KEPT)
def test_given_a_kept_table_then_encrypted_with_the_stacks_or_the_given_cmk(table: str) -> None:
    sse = resources()[table]["Properties"]["SSESpecification"]
    assert sse["SSEEnabled"] is True and sse["SSEType"] == "KMS"
    assert sse["KMSMasterKeyId"] == {
        "Fn::If": ["CreateTableKey", {"Fn::GetAtt": ["TableKey", "Arn"]}, {"Ref": "TableKmsKeyArn"}]
    }


def test_given_no_key_parameter_then_the_stack_creates_a_rotating_key() -> None:
    assert PARAMETERS["TableKmsKeyArn"]["Default"] == ""
    key = resources()["TableKey"]
    assert key["Type"] == "AWS::KMS::Key" and key["Condition"] == "CreateTableKey"
    assert key["DeletionPolicy"] == "Retain" and key["UpdateReplacePolicy"] == "Retain"
    assert key["Properties"]["EnableKeyRotation"] is True
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    via = [s for s in statements if "kms:ViaService" in json.dumps(s)]
    assert via, "DynamoDB uses the key on the account's behalf only through the service"


def api_statements() -> list[dict[str, Any]]:
    role = resources()["ApiRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    statements: list[dict[str, Any]] = role["Statement"]
    return statements


def test_given_the_api_role_then_no_batch_write() -> None:
    actions = {a for s in api_statements() for a in s["Action"]}
    assert "dynamodb:BatchWriteItem" not in actions
    assert {"dynamodb:PutItem", "dynamodb:ConditionCheckItem", "dynamodb:Query"} <= actions


@pytest.mark.parametrize(
    ("action", "keys"),
    [
        ("dynamodb:UpdateItem", ["CUST#*"]),  # a customer's details, a customer-offer answer
        ("dynamodb:DeleteItem", ["UNIQUE#PHONE#*"]),  # a changed phone's old claim
    ],
)
def test_given_the_api_role_then_update_and_delete_only_on_the_keys_that_need_them(
    action: str, keys: list[str]
) -> None:
    granting = [s for s in api_statements() if action in s["Action"]]
    assert granting, action
    for statement in granting:
        assert statement["Action"] == [action]
        condition = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
        assert condition == keys


def test_given_the_api_then_its_stage_writes_access_logs() -> None:
    stage = resources()["HttpApiStage"]["Properties"]
    settings = stage["AccessLogSettings"]
    assert settings["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    logged = json.loads(settings["Format"])
    assert {"requestId", "status", "routeKey", "ip"} <= set(logged)


def test_given_the_api_function_then_its_concurrency_is_reserved() -> None:
    props = resources()["ApiFunction"]["Properties"]
    assert props["ReservedConcurrentExecutions"] == {"Ref": "ApiReservedConcurrency"}


def test_given_every_route_then_it_has_its_own_throttle() -> None:
    for name in ("HttpApiStage", "ServiceHttpApiStage"):
        stage = resources()[name]["Properties"]
        assert set(stage["RouteSettings"]) == {route for route, _scope in API_ROUTES}, name
    routes = stage["RouteSettings"]
    for route, limits in routes.items():
        assert limits["ThrottlingRateLimit"] > 0 and limits["ThrottlingBurstLimit"] > 0, route
    assert (
        routes["POST /commands"]["ThrottlingRateLimit"]
        < (stage["DefaultRouteSettings"]["ThrottlingRateLimit"])
    )
