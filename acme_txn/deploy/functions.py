"""The template's Lambda side: the projection function with its stream mapping and
on-failure queue, the HTTP API function behind an API Gateway HTTP API, their log groups and
least-privilege roles."""

from __future__ import annotations

from typing import Any

from acme_txn.bootstrap import PROJECTION_CONSUMER
from acme_txn.deploy import safety
from acme_txn.http_api.routes import ROUTES
from streams.config import EsmConfig

PROJECTION_HANDLER = "acme_txn.lambda_handlers.projection_handler"
API_HANDLER = "acme_txn.http_api.handler"
#: the HTTP API's routes (payload format 2.0, one Lambda proxy integration) with the scope
#: each needs (None: open to anyone), from the API's own table
API_ROUTES = tuple(
    (f"{r.method} {r.path.replace('<', '{').replace('>', '}')}", r.scope) for r in ROUTES
)
TABLE_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
TABLE_WRITE = [
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    # TransactWriteItems is no IAM action: each of its parts is authorised as one of these
    "dynamodb:ConditionCheckItem",
]
STREAM_READ = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
]


def esm_properties(config: EsmConfig = PROJECTION_CONSUMER) -> dict[str, Any]:
    """Every Lambda setting of ``EsmConfig`` as ``AWS::Lambda::EventSourceMapping``
    properties (the poller-only knobs have no Lambda counterpart)."""
    props: dict[str, Any] = {
        "BatchSize": config.batch_size,
        "MaximumBatchingWindowInSeconds": int(config.batching_window),
        "StartingPosition": config.starting_position,
        "MaximumRetryAttempts": config.max_retry_attempts,
        "MaximumRecordAgeInSeconds": int(config.max_record_age),
        "BisectBatchOnFunctionError": config.bisect_on_error,
        "ParallelizationFactor": config.parallelization_factor,
        "FunctionResponseTypes": (
            ["ReportBatchItemFailures"] if config.report_batch_item_failures else []
        ),
        "FilterCriteria": config.filters.to_esm(),
    }
    if config.tumbling_window_s:
        props["TumblingWindowInSeconds"] = config.tumbling_window_s
    return props


def stream_mapping(
    function: str, queue: str, config: EsmConfig = PROJECTION_CONSUMER
) -> dict[str, Any]:
    """``function``'s mapping on the ledger stream, failed batches' metadata to ``queue``."""
    return {
        "Type": "AWS::Lambda::EventSourceMapping",
        "Properties": {
            "EventSourceArn": {"Fn::GetAtt": ["LedgerTable", "StreamArn"]},
            "FunctionName": {"Ref": function},
            "Enabled": True,
            **esm_properties(config),
            "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [queue, "Arn"]}}},
        },
    }


def on_failure_queue(consumer: str) -> dict[str, Any]:
    return {
        "Type": "AWS::SQS::Queue",
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
        "Properties": {
            "QueueName": {"Fn::Sub": f"${{TablePrefix}}-{consumer}-onfailure"},
            "MessageRetentionPeriod": 1209600,  # 14 days: time to look and replay
            "SqsManagedSseEnabled": True,
        },
    }


def table_arns(*logical_ids: str) -> list[Any]:
    """A table's ARN and its indexes' ARNs."""
    arns: list[Any] = []
    for lid in logical_ids:
        arns.append({"Fn::GetAtt": [lid, "Arn"]})
        arns.append({"Fn::Sub": f"${{{lid}.Arn}}/index/*"})
    return arns


def allow(actions: list[str], resources: list[Any]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


def lambda_role(log_group: str, statements: list[dict[str, Any]]) -> dict[str, Any]:
    logs = allow(
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        [{"Fn::GetAtt": [log_group, "Arn"]}],
    )
    xray = allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"])
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": "least-privilege",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [logs, xray, *statements],
                    },
                }
            ],
        },
    }


def log_group_resource(suffix: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Logs::LogGroup",
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
        "Properties": {
            "LogGroupName": {"Fn::Sub": f"/aws/lambda/${{TablePrefix}}-{suffix}"},
            "RetentionInDays": {"Ref": "LogRetentionDays"},
        },
    }


def lambda_function(
    suffix: str,
    handler: str,
    role: str,
    log_group: str,
    *,
    variables: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """``${TablePrefix}-<suffix>``; ``variables`` join the common environment, ``extra`` the
    properties."""
    env = {
        "ACME_TABLE_PREFIX": {"Ref": "TablePrefix"},
        "POWERTOOLS_SERVICE_NAME": f"acme-txn-{suffix}",
        "POWERTOOLS_METRICS_NAMESPACE": "AcmeTxn",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "POWERTOOLS_LOGGER_SAMPLE_RATE": "0.01",
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
        "ACME_STAGE": {"Ref": "Stage"},
        **(variables or {}),
    }
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "FunctionName": {"Fn::Sub": f"${{TablePrefix}}-{suffix}"},
            "Handler": handler,
            "Runtime": {"Ref": "PythonRuntime"},
            "Architectures": [{"Ref": "Architecture"}],
            "Code": {"S3Bucket": {"Ref": "CodeBucket"}, "S3Key": {"Ref": "CodeKey"}},
            "Role": {"Fn::GetAtt": [role, "Arn"]},
            "Environment": {"Variables": env},
            "LoggingConfig": {"LogGroup": {"Ref": log_group}, "LogFormat": "JSON"},
            "TracingConfig": {"Mode": "Active"},
            "Tags": [{"Key": "stage", "Value": {"Ref": "Stage"}}],
            **extra,
        },
    }


def _projection() -> dict[str, Any]:
    role = lambda_role(
        "ProjectionLogGroup",
        [
            allow(STREAM_READ, [{"Fn::GetAtt": ["LedgerTable", "StreamArn"]}]),
            # the projector reads the log to heal gaps (archived history included), and writes
            # only the read models; the streams table is the local poller's, not Lambda's
            allow(TABLE_READ, table_arns("LedgerTable", "ArchiveTable")),
            allow([*TABLE_READ, *TABLE_WRITE], table_arns("ViewsTable")),
            allow(["sqs:SendMessage"], [{"Fn::GetAtt": ["OnFailureQueue", "Arn"]}]),
        ],
    )
    return {
        "OnFailureQueue": on_failure_queue("projections"),
        "ProjectionLogGroup": log_group_resource("projections"),
        "ProjectionRole": role,
        "ProjectionFunction": lambda_function(
            "projections",
            PROJECTION_HANDLER,
            "ProjectionRole",
            "ProjectionLogGroup",
            Timeout=60,
            MemorySize=512,
            Description="acme-txn: project ledger events into the read models",
        ),
        "ProjectionMapping": stream_mapping("ProjectionFunction", "OnFailureQueue"),
    }


def _api() -> dict[str, Any]:
    role = lambda_role(
        "ApiLogGroup",
        [
            # commands append events + idempotency records, reads answer from log and views;
            # the writes are the commands' own and no more (deploy.safety)
            allow(TABLE_READ, table_arns("LedgerTable")),
            *safety.api_ledger_writes(),
            allow(TABLE_READ, table_arns("ViewsTable", "ArchiveTable")),
        ],
    )
    resources: dict[str, Any] = {
        "ApiLogGroup": log_group_resource("api"),
        "ApiRole": role,
        "ApiFunction": lambda_function(
            "api",
            API_HANDLER,
            "ApiRole",
            "ApiLogGroup",
            Timeout=29,  # API Gateway's integration timeout
            MemorySize=512,
            Description="acme-txn: HTTP API for commands and reads",
            variables={
                # where no API Gateway verified the caller (the function URL), the function
                # checks bearer tokens itself against these
                "ACME_AUTH_ISSUER": {"Ref": "JwtIssuer"},
                "ACME_AUTH_AUDIENCE": {"Ref": "JwtAudience"},
                "ACME_AUTH_JWKS": {"Ref": "JwtJwks"},
            },
            ReservedConcurrentExecutions={"Ref": "ApiReservedConcurrency"},
        ),
        "ApiAccessLogGroup": safety.access_log_group(),
        "HttpApi": {
            "Type": "AWS::ApiGatewayV2::Api",
            "Properties": {
                "Name": {"Fn::Sub": "${TablePrefix}-api"},
                "ProtocolType": "HTTP",
                "Description": "acme-txn commands and reads",
            },
        },
        "HttpApiIntegration": _integration("HttpApi"),
        "HttpApiStage": _stage("HttpApi"),
        "ApiInvokePermission": _invoke_permission("HttpApi"),
    }
    # LocalStack's community CloudFormation has no API Gateway v2: there the same function
    # answers through a function URL (the same payload format 2.0); off on AWS by default.
    # AuthType NONE because the function verifies the bearer token itself (JwtJwks; without
    # it every request but the health check is 401): SigV4 would take the Authorization
    # header the token needs
    resources["ApiFunctionUrl"] = {
        "Type": "AWS::Lambda::Url",
        "Condition": "UseFunctionUrl",
        "Properties": {
            "TargetFunctionArn": {"Fn::GetAtt": ["ApiFunction", "Arn"]},
            "AuthType": "NONE",
        },
    }
    resources |= _routes()
    return resources


def _integration(api: str) -> dict[str, Any]:
    return {
        "Type": "AWS::ApiGatewayV2::Integration",
        "Properties": {
            "ApiId": {"Ref": api},
            "IntegrationType": "AWS_PROXY",
            "IntegrationUri": {"Fn::GetAtt": ["ApiFunction", "Arn"]},
            "PayloadFormatVersion": "2.0",
            "TimeoutInMillis": 29000,
        },
    }


def _stage(api: str) -> dict[str, Any]:
    """``api``'s ``$default`` stage: auto-deployed, with access logs and per-route throttles
    (whose settings name routes that must exist first)."""
    return {
        "Type": "AWS::ApiGatewayV2::Stage",
        "DependsOn": [f"{api}Route{i}" for i in range(len(API_ROUTES))],
        "Properties": {
            "ApiId": {"Ref": api},
            "StageName": "$default",
            "AutoDeploy": True,
            **safety.stage_safety(),
        },
    }


def _invoke_permission(api: str) -> dict[str, Any]:
    """API Gateway (``api``, any route) may invoke the API function."""
    return {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Ref": "ApiFunction"},
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": {
                "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:"
                f"${{AWS::AccountId}}:${{{api}}}/*"
            },
        },
    }


def _service_api() -> dict[str, Any]:
    """A second HTTP API for service callers, every route ``AWS_IAM`` (SigV4): their IAM
    policies (``execute-api:Invoke`` on routes) say what each may call."""
    return {
        "ServiceHttpApi": {
            "Type": "AWS::ApiGatewayV2::Api",
            "Properties": {
                "Name": {"Fn::Sub": "${TablePrefix}-service-api"},
                "ProtocolType": "HTTP",
                "Description": "acme-txn commands and reads for AWS principals (SigV4)",
            },
        },
        "ServiceHttpApiIntegration": _integration("ServiceHttpApi"),
        "ServiceHttpApiStage": _stage("ServiceHttpApi"),
        "ServiceApiInvokePermission": _invoke_permission("ServiceHttpApi"),
    }


def _routes() -> dict[str, Any]:
    """Every route of the public API behind the JWT authoriser with its scope (but the
    health check), and each again on the service API behind ``AWS_IAM``."""
    resources: dict[str, Any] = {
        "HttpApiJwtAuthorizer": {
            "Type": "AWS::ApiGatewayV2::Authorizer",
            "Properties": {
                "ApiId": {"Ref": "HttpApi"},
                "AuthorizerType": "JWT",
                "Name": "jwt",
                "IdentitySource": ["$request.header.Authorization"],
                "JwtConfiguration": {
                    "Issuer": {"Ref": "JwtIssuer"},
                    "Audience": [{"Ref": "JwtAudience"}],
                },
            },
        },
        **_service_api(),
    }
    for i, (route, scope) in enumerate(API_ROUTES):
        auth: dict[str, Any] = {"AuthorizationType": "NONE"}
        if scope is not None:
            auth = {
                "AuthorizationType": "JWT",
                "AuthorizerId": {"Ref": "HttpApiJwtAuthorizer"},
                "AuthorizationScopes": [scope],
            }
        resources[f"HttpApiRoute{i}"] = {
            "Type": "AWS::ApiGatewayV2::Route",
            "Properties": {
                "ApiId": {"Ref": "HttpApi"},
                "RouteKey": route,
                "Target": {"Fn::Sub": "integrations/${HttpApiIntegration}"},
                **auth,
            },
        }
        resources[f"ServiceHttpApiRoute{i}"] = {
            "Type": "AWS::ApiGatewayV2::Route",
            "Properties": {
                "ApiId": {"Ref": "ServiceHttpApi"},
                "RouteKey": route,
                "Target": {"Fn::Sub": "integrations/${ServiceHttpApiIntegration}"},
                "AuthorizationType": "AWS_IAM",
            },
        }
    return resources


def function_resources() -> dict[str, Any]:
    return {**_projection(), **_api()}
