"""The CloudFormation template, rendered from the code: ``render() -> dict``.

Tables come from ``acme_base.tables`` (``deploy.tables``), the projection's event source
mapping from ``PROJECTION_CONSUMER`` (``deploy.functions``), so ``deploy/template.yaml`` is a
rendering (``acme-txn deploy --print-template``), never a second definition.
"""

from __future__ import annotations

import json
from typing import Any

from acme_txn.deploy import consumers, safety
from acme_txn.deploy.alarms import alarm_resources
from acme_txn.deploy.apps import apps_outputs, apps_resources
from acme_txn.deploy.functions import function_resources
from acme_txn.deploy.tables import table_resources

DESCRIPTION = (
    "acme-txn: event-sourced ledger on DynamoDB - tables, stream projection, fraud and apps "
    "Lambdas, expire-pending schedule, HTTP API, alarms "
    "(rendered by `acme-txn deploy --print-template`; do not edit by hand)"
)

PARAMETERS: dict[str, Any] = {
    "Stage": {
        "Type": "String",
        "Default": "dev",
        "AllowedPattern": "[a-z0-9-]{1,20}",
        "Description": "deployment stage, tagged on every function",
    },
    "TablePrefix": {
        "Type": "String",
        "Default": "acme",
        "AllowedPattern": "[A-Za-z0-9_.-]{1,60}",
        "Description": "prefix of every table, function, queue and alarm name",
    },
    "CodeBucket": {"Type": "String", "Description": "S3 bucket holding the Lambda zip"},
    "CodeKey": {"Type": "String", "Description": "S3 key of the Lambda zip (acme-txn package)"},
    "Architecture": {
        "Type": "String",
        "Default": "x86_64",
        "AllowedValues": ["x86_64", "arm64"],
        "Description": "Lambda architecture; the zip must be packaged for it (--arch)",
    },
    "PythonRuntime": {
        "Type": "String",
        "Default": "python3.12",
        "AllowedValues": ["python3.12", "python3.13"],
        "Description": "Lambda runtime; the zip must be packaged for it (--python)",
    },
    "DeletionProtection": {
        "Type": "String",
        "Default": "true",
        "AllowedValues": ["true", "false"],
        "Description": "DynamoDB deletion protection on every table (false only for "
        "throw-away stacks)",
    },
    **safety.PARAMETERS,
    "LogRetentionDays": {
        "Type": "Number",
        "Default": 30,
        "AllowedValues": [1, 3, 5, 7, 14, 30, 60, 90, 180, 365],
        "Description": "retention of the functions' log groups",
    },
    "EnableFunctionUrl": {
        "Type": "String",
        "Default": "false",
        "AllowedValues": ["true", "false"],
        "Description": "also serve the API through a Lambda function URL (LocalStack, which "
        "lacks API Gateway v2 in its community CloudFormation); the function then checks "
        "bearer tokens itself against JwtJwks",
    },
    "JwtIssuer": {
        "Type": "String",
        "Default": "https://issuer.invalid/set-JwtIssuer",
        "Description": "the iss of the tokens the API accepts (a Cognito user pool's "
        "https://cognito-idp.REGION.amazonaws.com/POOL_ID, or any OIDC provider); the "
        "default accepts no token",
    },
    "JwtAudience": {
        "Type": "String",
        "Default": "acme-txn-api",
        "Description": "the aud (or Cognito client id) the tokens must carry",
    },
    "JwtJwks": {
        "Type": "String",
        "Default": "",
        "Description": "the issuer's JWKS (JSON), for the function URL only (behind API "
        "Gateway the JWT authoriser fetches the keys); empty: the function URL accepts no "
        "token",
    },
    **consumers.PARAMETERS,
    "AlarmTopicArn": {
        "Type": "String",
        "Default": "",
        "Description": "SNS topic the alarms notify (empty: alarms without actions)",
    },
}

CONDITIONS: dict[str, Any] = {
    "ProtectTables": {"Fn::Equals": [{"Ref": "DeletionProtection"}, "true"]},
    "UseFunctionUrl": {"Fn::Equals": [{"Ref": "EnableFunctionUrl"}, "true"]},
    "HasAlarmTopic": {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmTopicArn"}, ""]}]},
    **safety.CONDITIONS,
}


def _outputs() -> dict[str, Any]:
    def out(value: Any, description: str) -> dict[str, Any]:
        return {"Value": value, "Description": description}

    return {
        "ApiUrl": out(
            {"Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"},
            "HTTP API base URL (AWS; LocalStack: see docs/deploy.md)",
        ),
        "HttpApiId": out({"Ref": "HttpApi"}, "API Gateway HTTP API id"),
        "ServiceApiUrl": out(
            {"Fn::Sub": "https://${ServiceHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"},
            "the same API for AWS principals, SigV4 signed (AWS_IAM)",
        ),
        "LedgerTable": out({"Ref": "LedgerTable"}, "the event log"),
        "ViewsTable": out({"Ref": "ViewsTable"}, "read models"),
        "StreamsTable": out({"Ref": "StreamsTable"}, "stream consumer state"),
        "ArchiveTable": out({"Ref": "ArchiveTable"}, "archived events"),
        "LedgerStreamArn": out({"Fn::GetAtt": ["LedgerTable", "StreamArn"]}, "ledger stream"),
        "ProjectionFunction": out({"Ref": "ProjectionFunction"}, "stream projection Lambda"),
        "ApiFunction": out({"Ref": "ApiFunction"}, "HTTP API Lambda"),
        "MappingUuid": out({"Ref": "ProjectionMapping"}, "event source mapping UUID"),
        "FunctionUrl": {
            "Condition": "UseFunctionUrl",
            **out({"Fn::GetAtt": ["ApiFunctionUrl", "FunctionUrl"]}, "API function URL"),
        },
        "OnFailureQueueUrl": out({"Ref": "OnFailureQueue"}, "the mapping's on-failure queue"),
        **consumers.consumer_outputs(),
        **apps_outputs(),
    }


def render() -> dict[str, Any]:
    """The whole template as a JSON-able dict."""
    resources: dict[str, Any] = {}
    resources.update(table_resources())
    resources.update(function_resources())
    resources.update(consumers.consumer_resources())
    resources.update(apps_resources())
    resources.update(alarm_resources())
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": DESCRIPTION,
        "Parameters": PARAMETERS,
        "Conditions": CONDITIONS,
        "Resources": resources,
        "Outputs": _outputs(),
    }


def render_text() -> str:
    """The template as text: JSON, which is YAML too (CloudFormation reads either), sorted
    and indented so the committed ``deploy/template.yaml`` diffs well."""
    return json.dumps(render(), indent=2, sort_keys=True) + "\n"
