"""The CloudFormation template (acme_txn.deploy): rendered from the code, lint-clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_base.tables import TableSpec, all_specs
from acme_txn.bootstrap import APPS_CONSUMER, FRAUD_CONSUMER, PROJECTION_CONSUMER
from acme_txn.deploy.apps import APPS_HANDLER
from acme_txn.deploy.consumers import FRAUD_HANDLER, SWEEP_RATE, SWEEPER_HANDLER
from acme_txn.deploy.functions import API_HANDLER, PROJECTION_HANDLER
from acme_txn.deploy.tables import logical_id
from acme_txn.deploy.template import render, render_text
from processor.services.pending_jobs import SWEEP_INDEX

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "template.yaml"


def _resources(kind: str) -> dict[str, Any]:
    return {k: v for k, v in render()["Resources"].items() if v["Type"] == kind}


def test_given_the_code_when_rendered_then_the_committed_template_is_that_rendering() -> None:
    assert TEMPLATE.read_text() == render_text(), "run: acme-txn deploy --print-template > " + str(
        TEMPLATE.relative_to(ROOT)
    )


@pytest.mark.parametrize("spec", all_specs(Settings(table_prefix="p")), ids=lambda s: s.name)
def test_given_a_table_spec_when_rendered_then_keys_indexes_stream_and_ttl_match(
    spec: TableSpec,
) -> None:
    props = render()["Resources"][logical_id(spec.name.removeprefix("p-"))]["Properties"]
    want = spec.definition
    assert props["KeySchema"] == want["KeySchema"]
    assert props["AttributeDefinitions"] == want["AttributeDefinitions"]
    assert props.get("GlobalSecondaryIndexes", []) == want.get("GlobalSecondaryIndexes", [])
    assert props["BillingMode"] == "PAY_PER_REQUEST" == want["BillingMode"]
    stream = want.get("StreamSpecification", {}).get("StreamViewType")
    assert props.get("StreamSpecification", {}).get("StreamViewType") == stream
    ttl = props.get("TimeToLiveSpecification")
    assert (ttl["AttributeName"] if ttl else None) == spec.ttl_attribute
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["TableName"] == {"Fn::Sub": "${TablePrefix}-" + spec.name.removeprefix("p-")}


def test_given_the_projection_consumer_when_rendered_then_the_mapping_has_its_settings() -> None:
    props = _resources("AWS::Lambda::EventSourceMapping")["ProjectionMapping"]["Properties"]
    c = PROJECTION_CONSUMER
    assert props["BatchSize"] == c.batch_size
    assert props["MaximumRetryAttempts"] == c.max_retry_attempts
    assert props["BisectBatchOnFunctionError"] is c.bisect_on_error
    assert props["ParallelizationFactor"] == c.parallelization_factor
    assert props["MaximumBatchingWindowInSeconds"] == c.batching_window
    assert props["MaximumRecordAgeInSeconds"] == c.max_record_age
    assert props["StartingPosition"] == c.starting_position
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["FilterCriteria"] == c.filters.to_esm()
    assert "OnFailure" in props["DestinationConfig"]


def test_given_the_functions_when_rendered_then_handlers_and_roles_are_their_own() -> None:
    functions = _resources("AWS::Lambda::Function")
    assert functions["ProjectionFunction"]["Properties"]["Handler"] == PROJECTION_HANDLER
    assert functions["ApiFunction"]["Properties"]["Handler"] == API_HANDLER
    assert functions["FraudFunction"]["Properties"]["Handler"] == FRAUD_HANDLER
    assert functions["SweeperFunction"]["Properties"]["Handler"] == SWEEPER_HANDLER
    roles = {f["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions.values()}
    assert roles == {"ProjectionRole", "ApiRole", "FraudRole", "SweeperRole", "AppsRole"}


def test_given_the_roles_when_rendered_then_no_action_is_a_wildcard_but_xray() -> None:
    for role in _resources("AWS::IAM::Role").values():
        for statement in role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]:
            if statement["Resource"] == ["*"]:
                assert all(a.startswith("xray:") for a in statement["Action"])
            assert all("*" not in a for a in statement["Action"])


def test_given_the_template_when_rendered_then_every_alarm_asked_for_exists() -> None:
    alarms = {a["Properties"]["MetricName"] for a in _resources("AWS::CloudWatch::Alarm").values()}
    assert {"ReadThrottleEvents", "WriteThrottleEvents", "Errors", "IteratorAge"} <= alarms
    assert {"ApproximateNumberOfMessagesVisible", "5xx"} <= alarms
    throttles = [
        a
        for a in _resources("AWS::CloudWatch::Alarm").values()
        if "Throttle" in a["Properties"]["MetricName"]
    ]
    assert len(throttles) == 2 * len(all_specs(Settings(table_prefix="p")))


def test_given_the_template_when_cfn_lint_runs_then_it_finds_no_errors() -> None:
    from cfnlint.api import ManualArgs, lint  # type: ignore[import-untyped]

    # the regions the CLI itself lints by default plus the usual European one
    matches = lint(render_text(), config=ManualArgs(regions=["us-east-1", "eu-west-1"]))
    errors = [m for m in matches if m.rule.id.startswith("E")]
    assert errors == [], "\n".join(str(m) for m in errors)
    assert [str(m) for m in matches] == []  # warnings too: keep it clean


def _grants(role: str) -> dict[str, set[str]]:
    """action -> the resources (as JSON text) a role's policy allows it on."""
    statements = _resources("AWS::IAM::Role")[role]["Properties"]["Policies"][0]
    found: dict[str, set[str]] = {}
    for statement in statements["PolicyDocument"]["Statement"]:
        for action in statement["Action"]:
            found.setdefault(action, set()).update(repr(r) for r in statement["Resource"])
    return found


def test_given_the_fraud_consumer_when_rendered_then_its_mapping_has_its_own_settings() -> None:
    props = _resources("AWS::Lambda::EventSourceMapping")["FraudMapping"]["Properties"]
    c = FRAUD_CONSUMER
    assert props["FunctionName"] == {"Ref": "FraudFunction"}
    assert props["EventSourceArn"] == {"Fn::GetAtt": ["LedgerTable", "StreamArn"]}
    assert props["TumblingWindowInSeconds"] == c.tumbling_window_s == 60
    assert props["MaximumRetryAttempts"] == c.max_retry_attempts
    assert props["BisectBatchOnFunctionError"] is c.bisect_on_error
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["FilterCriteria"] == c.filters.to_esm()
    on_failure = props["DestinationConfig"]["OnFailure"]["Destination"]
    assert on_failure == {"Fn::GetAtt": ["FraudOnFailureQueue", "Arn"]}
    rules = _resources("AWS::Lambda::Function")["FraudFunction"]["Properties"]["Environment"]
    assert rules["Variables"]["ACME_FRAUD_RULES"] == {"Ref": "FraudRulesFile"}


def test_given_the_fraud_role_when_rendered_then_it_writes_only_the_views_table() -> None:
    grants = _grants("FraudRole")
    views = repr({"Fn::GetAtt": ["ViewsTable", "Arn"]})
    assert grants["dynamodb:PutItem"] == {views}
    assert grants["dynamodb:GetItem"] == {views}
    assert "ArchiveTable" in str(grants["dynamodb:Query"])
    assert not {"dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:UpdateItem"} & set(grants)
    assert grants["sqs:SendMessage"] == {repr({"Fn::GetAtt": ["FraudOnFailureQueue", "Arn"]})}


def test_given_the_sweeper_when_rendered_then_a_schedule_invokes_it_with_its_permission() -> None:
    rule = _resources("AWS::Events::Rule")["SweepSchedule"]["Properties"]
    assert rule["ScheduleExpression"] == SWEEP_RATE == "rate(1 minute)"
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": ["SweeperFunction", "Arn"]}
    permission = _resources("AWS::Lambda::Permission")["SweeperInvokePermission"]["Properties"]
    assert permission["Principal"] == "events.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": ["SweepSchedule", "Arn"]}


def test_given_the_sweeper_role_when_rendered_then_it_queries_the_expiry_index_and_puts() -> None:
    grants = _grants("SweeperRole")
    index = repr({"Fn::Sub": "${LedgerTable.Arn}/index/" + SWEEP_INDEX})
    table = repr({"Fn::GetAtt": ["LedgerTable", "Arn"]})
    assert grants["dynamodb:Query"] == {index, table}
    assert grants["dynamodb:PutItem"] == {table}
    dynamodb = {a for a in grants if a.startswith("dynamodb:")}
    assert dynamodb == {"dynamodb:Query", "dynamodb:PutItem"}  # no Scan: the index, not the log


def test_given_the_consumers_when_rendered_then_each_has_its_alarms() -> None:
    alarms = _resources("AWS::CloudWatch::Alarm")
    by_function = {
        (a["Properties"]["Dimensions"][0]["Value"].get("Ref"), a["Properties"]["MetricName"])
        for a in alarms.values()
    }
    assert {("FraudFunction", "Errors"), ("FraudFunction", "IteratorAge")} <= by_function
    assert ("SweeperFunction", "Errors") in by_function


def test_given_the_apps_consumer_when_rendered_then_its_mapping_has_its_own_settings() -> None:
    props = _resources("AWS::Lambda::EventSourceMapping")["AppsMapping"]["Properties"]
    c = APPS_CONSUMER
    assert props["FunctionName"] == {"Ref": "AppsFunction"}
    assert props["EventSourceArn"] == {"Fn::GetAtt": ["LedgerTable", "StreamArn"]}
    assert props["FilterCriteria"] == c.filters.to_esm()
    assert props["FilterCriteria"] != {"Filters": []}  # events only, not every stream record
    assert props["MaximumRetryAttempts"] == c.max_retry_attempts == 5
    assert props["BisectBatchOnFunctionError"] is c.bisect_on_error is True
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "TumblingWindowInSeconds" not in props
    on_failure = props["DestinationConfig"]["OnFailure"]["Destination"]
    assert on_failure == {"Fn::GetAtt": ["AppsOnFailureQueue", "Arn"]}
    queue = render()["Resources"]["AppsOnFailureQueue"]["Properties"]["QueueName"]
    assert queue == {"Fn::Sub": "${TablePrefix}-apps-onfailure"}


def test_given_the_apps_function_when_rendered_then_it_has_the_consumers_environment() -> None:
    functions = _resources("AWS::Lambda::Function")
    apps = functions["AppsFunction"]["Properties"]
    fraud = functions["FraudFunction"]["Properties"]
    assert apps["Handler"] == APPS_HANDLER == "acme_txn.lambda_handlers.apps_handler"
    env = apps["Environment"]["Variables"]
    common = {k for k in fraud["Environment"]["Variables"] if k != "ACME_FRAUD_RULES"}
    assert set(env) == common
    assert env["POWERTOOLS_SERVICE_NAME"] == "acme-txn-apps"
    assert apps["LoggingConfig"]["LogGroup"] == {"Ref": "AppsLogGroup"}
    group = _resources("AWS::Logs::LogGroup")["AppsLogGroup"]["Properties"]
    assert group["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${TablePrefix}-apps"}


def test_given_the_apps_role_when_rendered_then_it_reads_the_log_and_writes_only_views() -> None:
    grants = _grants("AppsRole")
    views = {repr({"Fn::GetAtt": ["ViewsTable", "Arn"]})}
    ledger = {repr({"Fn::GetAtt": ["LedgerTable", "Arn"]})}
    assert grants["dynamodb:Query"] == ledger  # the log, no archive, no index
    assert grants["dynamodb:GetItem"] == grants["dynamodb:PutItem"] == views
    assert grants["dynamodb:UpdateItem"] == views  # the spend cursor and ADD spent updates
    assert grants["dynamodb:GetRecords"] == {repr({"Fn::GetAtt": ["LedgerTable", "StreamArn"]})}
    dynamodb = {a for a in grants if a.startswith("dynamodb:") and "Stream" not in a}
    assert dynamodb == {
        "dynamodb:Query",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
    }
    assert grants["sqs:SendMessage"] == {repr({"Fn::GetAtt": ["AppsOnFailureQueue", "Arn"]})}


def test_given_the_apps_consumer_when_rendered_then_it_has_its_alarms_and_outputs() -> None:
    alarms = _resources("AWS::CloudWatch::Alarm")
    by_function = {
        (a["Properties"]["Dimensions"][0]["Value"].get("Ref"), a["Properties"]["MetricName"])
        for a in alarms.values()
    }
    assert {("AppsFunction", "Errors"), ("AppsFunction", "IteratorAge")} <= by_function
    depth = alarms["AppsOnFailureQueueDepthAlarm"]["Properties"]["Dimensions"][0]["Value"]
    assert depth == {"Fn::GetAtt": ["AppsOnFailureQueue", "QueueName"]}
    outputs = render()["Outputs"]
    assert outputs["AppsMappingUuid"]["Value"] == {"Ref": "AppsMapping"}
    assert outputs["AppsFunction"]["Value"] == {"Ref": "AppsFunction"}
    assert outputs["AppsOnFailureQueueUrl"]["Value"] == {"Ref": "AppsOnFailureQueue"}
