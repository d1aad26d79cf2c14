"""What keeps the bank in the template: the tables' customer-managed key, the API role's
narrow writes, its access logs, throttles and reserved concurrency (docs/deploy.md).

- **Tables** holding money or customers (``KEPT_TABLES``) are retained when the stack is
  deleted or a change would replace them, deletion protection is on by default, and every
  table is encrypted with a customer-managed KMS key: the ``TableKmsKeyArn`` parameter, or
  (empty, the default) a key the stack creates, rotates and retains.
- **The API role** writes the ledger only as the commands do: conditional puts and condition
  checks (events, idempotency records, customers, offers, pending markers); ``UpdateItem``
  only on ``CUST#`` items (a customer's details, a customer's answer to an offer) and
  ``DeleteItem`` only on ``UNIQUE#PHONE#`` items (a changed phone's old claim), through
  ``dynamodb:LeadingKeys``; no ``BatchWriteItem``.
- **The API** logs every request (JSON access logs), throttles each route on its own, and
  runs with reserved concurrency, so a flood on it cannot take the concurrency the stream
  consumers and the sweeper need (and cannot scale past it).
"""

from __future__ import annotations

import json
from typing import Any

#: the tables' suffixes whose data is money or customers: never deleted with the stack
KEPT_TABLES = frozenset({"ledger", "views", "archive"})
#: the API's writes on the ledger beyond puts: action -> the partition keys it may touch
API_KEYED_WRITES = {
    "dynamodb:UpdateItem": ["CUST#*"],
    "dynamodb:DeleteItem": ["UNIQUE#PHONE#*"],
}
#: requests per second (rate) and burst of each route; the stage's default is above them all
ROUTE_LIMITS = {
    "POST /commands": (200, 100),
    "POST /admin/commands": (50, 25),
    "GET /accounts/{account_id}/balance": (500, 250),
    "GET /accounts/{account_id}/events": (200, 100),
    "GET /transactions/{txn_id}": (500, 250),
    "GET /health": (10, 20),
}
DEFAULT_ROUTE_LIMITS = {"ThrottlingBurstLimit": 500, "ThrottlingRateLimit": 1000}
#: the access log's fields (API Gateway $context variables), one JSON object per request
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
}

PARAMETERS: dict[str, Any] = {
    "TableKmsKeyArn": {
        "Type": "String",
        "Default": "",
        "AllowedPattern": "(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+)?",
        "Description": "customer-managed KMS key encrypting every table (empty: the stack "
        "creates one, with rotation, and keeps it when deleted)",
    },
    "ApiReservedConcurrency": {
        "Type": "Number",
        "Default": 50,
        "MinValue": 1,
        "MaxValue": 1000,
        "Description": "concurrent executions reserved for (and capping) the API function",
    },
}
CONDITIONS: dict[str, Any] = {"CreateTableKey": {"Fn::Equals": [{"Ref": "TableKmsKeyArn"}, ""]}}


def table_key_id() -> dict[str, Any]:
    """The tables' key: the stack's own, or the one given."""
    return {
        "Fn::If": ["CreateTableKey", {"Fn::GetAtt": ["TableKey", "Arn"]}, {"Ref": "TableKmsKeyArn"}]
    }


def table_sse() -> dict[str, Any]:
    return {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": table_key_id()}


def key_resources() -> dict[str, Any]:
    """The stack's table key: the account administers it; DynamoDB uses it for the account's
    principals, only through the DynamoDB service of this region."""
    account_root = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    return {
        "TableKey": {
            "Type": "AWS::KMS::Key",
            "Condition": "CreateTableKey",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "Description": {"Fn::Sub": "${TablePrefix} tables (acme-txn)"},
                "EnableKeyRotation": True,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AccountAdministers",
                            "Effect": "Allow",
                            "Principal": {"AWS": account_root},
                            "Action": "kms:*",
                            "Resource": "*",
                        },
                        {
                            "Sid": "DynamoDBUsesItForTheAccount",
                            "Effect": "Allow",
                            "Principal": {"AWS": "*"},
                            "Action": [
                                "kms:Encrypt",
                                "kms:Decrypt",
                                "kms:ReEncrypt*",
                                "kms:GenerateDataKey*",
                                "kms:DescribeKey",
                                "kms:CreateGrant",
                            ],
                            "Resource": "*",
                            "Condition": {
                                "StringEquals": {
                                    "kms:CallerAccount": {"Ref": "AWS::AccountId"},
                                    "kms:ViaService": {
                                        "Fn::Sub": "dynamodb.${AWS::Region}.amazonaws.com"
                                    },
                                }
                            },
                        },
                    ],
                },
            },
        }
    }


def keyed(action: str, keys: list[str], resource: Any) -> dict[str, Any]:
    """``action`` on ``resource`` only for items whose partition key matches ``keys``."""
    return {
        "Effect": "Allow",
        "Action": [action],
        "Resource": [resource],
        "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": keys}},
    }


def api_ledger_writes() -> list[dict[str, Any]]:
    """The API role's writes on the ledger table (see the module docstring)."""
    table = {"Fn::GetAtt": ["LedgerTable", "Arn"]}
    puts = {
        "Effect": "Allow",
        "Action": ["dynamodb:PutItem", "dynamodb:ConditionCheckItem"],
        "Resource": [table],
    }
    return [puts, *(keyed(a, k, table) for a, k in API_KEYED_WRITES.items())]


def access_log_group() -> dict[str, Any]:
    return {
        "Type": "AWS::Logs::LogGroup",
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
        "Properties": {
            "LogGroupName": {"Fn::Sub": "/aws/apigateway/${TablePrefix}-api"},
            "RetentionInDays": {"Ref": "LogRetentionDays"},
        },
    }


def stage_safety() -> dict[str, Any]:
    """The stage's access logs and per-route throttles."""
    return {
        "AccessLogSettings": {
            "DestinationArn": {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]},
            "Format": json.dumps(ACCESS_LOG_FORMAT, separators=(",", ":")),
        },
        "DefaultRouteSettings": DEFAULT_ROUTE_LIMITS,
        "RouteSettings": {
            route: {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst}
            for route, (rate, burst) in ROUTE_LIMITS.items()
        },
    }
