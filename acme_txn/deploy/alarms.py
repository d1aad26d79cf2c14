"""The template's CloudWatch alarms: throttles on every table, Lambda errors, the stream
mapping's iterator age, the on-failure queue's depth, the API's 5xx rate."""

from __future__ import annotations

from typing import Any

from acme_txn.deploy.tables import logical_id, table_suffixes

#: the projection may fall this far behind (IteratorAge, ms) before someone is told
ITERATOR_AGE_MS = 60_000
#: share of API requests answered 5xx over 5 minutes
API_5XX_RATE = 0.01


def _alarm(
    name: str,
    description: str,
    namespace: str,
    metric: str,
    dimensions: dict[str, Any],
    *,
    statistic: str = "Sum",
    threshold: float = 0,
    periods: int = 1,
) -> dict[str, Any]:
    actions = {"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], []]}
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": {"Fn::Sub": f"${{TablePrefix}}-{name}"},
            "AlarmDescription": description,
            "Namespace": namespace,
            "MetricName": metric,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
            "Statistic": statistic,
            "Period": 300 if periods == 1 else 60,
            "EvaluationPeriods": periods,
            "Threshold": threshold,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": actions,
            "OKActions": actions,
        },
    }


def _table_alarms() -> dict[str, Any]:
    alarms: dict[str, Any] = {}
    for suffix in table_suffixes():
        table = {"Ref": logical_id(suffix)}
        for kind in ("Read", "Write"):
            alarms[f"{logical_id(suffix)}{kind}ThrottleAlarm"] = _alarm(
                f"{suffix}-{kind.lower()}-throttles",
                f"{kind} requests throttled on the {suffix} table",
                "AWS/DynamoDB",
                f"{kind}ThrottleEvents",
                {"TableName": table},
            )
    return alarms


def _consumer_alarms() -> dict[str, Any]:
    """The fraud consumer's errors, iterator age and on-failure depth; the sweeper's errors
    (a failed sweep leaves expired holds in place until a later one succeeds)."""
    fraud = {"FunctionName": {"Ref": "FraudFunction"}}
    return {
        "FraudErrorsAlarm": _alarm(
            "fraud-errors",
            "the fraud Lambda failed (the mapping retries, then gives up on the batch)",
            "AWS/Lambda",
            "Errors",
            fraud,
        ),
        "FraudIteratorAgeAlarm": _alarm(
            "fraud-iterator-age",
            f"the fraud rules are more than {ITERATOR_AGE_MS // 1000} s behind the ledger",
            "AWS/Lambda",
            "IteratorAge",
            fraud,
            statistic="Maximum",
            threshold=ITERATOR_AGE_MS,
            periods=5,
        ),
        "FraudOnFailureQueueDepthAlarm": _alarm(
            "fraud-onfailure-depth",
            "stream batches the fraud mapping gave up on: their events were not evaluated",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": {"Fn::GetAtt": ["FraudOnFailureQueue", "QueueName"]}},
            statistic="Maximum",
        ),
        "SweeperErrorsAlarm": _alarm(
            "expire-pending-errors",
            "the expire-pending sweeper failed: expired holds stay until a sweep succeeds",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": {"Ref": "SweeperFunction"}},
        ),
    }


def stream_consumer_alarms(name: str, suffix: str, what: str) -> dict[str, Any]:
    """A stream consumer's errors, iterator age and on-failure depth: ``<name>Function``,
    ``<name>OnFailureQueue``, alarm names ``<suffix>-...``, ``what`` it keeps up to date."""
    function = {"FunctionName": {"Ref": f"{name}Function"}}
    return {
        f"{name}ErrorsAlarm": _alarm(
            f"{suffix}-errors",
            f"the {suffix} Lambda failed (the mapping retries, bisects, then gives up)",
            "AWS/Lambda",
            "Errors",
            function,
        ),
        f"{name}IteratorAgeAlarm": _alarm(
            f"{suffix}-iterator-age",
            f"the {what} are more than {ITERATOR_AGE_MS // 1000} s behind the ledger",
            "AWS/Lambda",
            "IteratorAge",
            function,
            statistic="Maximum",
            threshold=ITERATOR_AGE_MS,
            periods=5,
        ),
        f"{name}OnFailureQueueDepthAlarm": _alarm(
            f"{suffix}-onfailure-depth",
            f"stream batches the {suffix} mapping gave up on: the {what} miss their events",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": {"Fn::GetAtt": [f"{name}OnFailureQueue", "QueueName"]}},
            statistic="Maximum",
        ),
    }


def alarm_resources() -> dict[str, Any]:
    projection = {"FunctionName": {"Ref": "ProjectionFunction"}}
    return {
        **_table_alarms(),
        **_consumer_alarms(),
        **stream_consumer_alarms("Apps", "apps", "loyalty and budget views"),
        "ProjectionErrorsAlarm": _alarm(
            "projections-errors",
            "the projection Lambda failed (the mapping retries, bisects, then gives up)",
            "AWS/Lambda",
            "Errors",
            projection,
        ),
        "ApiErrorsAlarm": _alarm(
            "api-errors",
            "the API Lambda failed (unhandled errors, timeouts)",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": {"Ref": "ApiFunction"}},
        ),
        "ProjectionIteratorAgeAlarm": _alarm(
            "projections-iterator-age",
            f"the projection is more than {ITERATOR_AGE_MS // 1000} s behind the ledger",
            "AWS/Lambda",
            "IteratorAge",
            projection,
            statistic="Maximum",
            threshold=ITERATOR_AGE_MS,
            periods=5,
        ),
        "OnFailureQueueDepthAlarm": _alarm(
            "projections-onfailure-depth",
            "stream batches the mapping gave up on: replay them (docs/deploy.md)",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": {"Fn::GetAtt": ["OnFailureQueue", "QueueName"]}},
            statistic="Maximum",
        ),
        "Api5xxAlarm": _alarm(
            "api-5xx-rate",
            f"more than {API_5XX_RATE:.0%} of API requests answered 5xx (backend faults)",
            "AWS/ApiGateway",
            "5xx",
            {"ApiId": {"Ref": "HttpApi"}, "Stage": "$default"},
            statistic="Average",
            threshold=API_5XX_RATE,
        ),
    }
