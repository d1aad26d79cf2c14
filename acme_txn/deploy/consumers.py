"""The template's background functions: the fraud consumer (a second mapping on the ledger
stream, settings from ``FRAUD_CONSUMER``) and the expire-pending sweeper on a schedule.

Their roles grant exactly what their code paths call:

- fraud (``projections.fraud.engine``, ``projections.fraud.store``): the ledger stream;
  ``Query`` on the ledger and archive tables (healing a gap from the history); ``GetItem`` and
  ``PutItem`` on the views table (profiles ``FRAUD#<account>``/``PROFILE`` and alerts
  ``ALERT#<id>``, conditional puts; the alerts index is only read by the CLI); ``SendMessage``
  to its own on-failure queue.
- sweeper (``processor.services.pending_jobs.sweep_candidates``, ``ExpireJob``): ``Query`` on the
  ledger's expiry index (``SWEEP_INDEX``) for the expired open pendings' markers, ``Query``
  on the table for account heads, and ``PutItem`` (the parts of its ``TransactWriteItems``:
  the ``PendingExpired`` events and the resolution claim replacing the marker). No ``Scan``:
  ``expire-pending --scan`` is a CLI-only repair.
"""

from __future__ import annotations

from typing import Any

from acme_txn.bootstrap import FRAUD_CONSUMER
from acme_txn.deploy.functions import (
    allow,
    lambda_function,
    lambda_role,
    log_group_resource,
)
from acme_txn.deploy.stream_consumer import arn as _arn
from acme_txn.deploy.stream_consumer import stream_consumer
from processor.services.pending_jobs import SWEEP_INDEX
from projections.fraud.config import ENV_VAR as FRAUD_RULES_VAR

FRAUD_HANDLER = "acme_txn.lambda_handlers.fraud_handler"
SWEEPER_HANDLER = "acme_txn.lambda_handlers.expire_pending_handler"
#: how often the sweeper runs (EventBridge rate expression; a pending expires at most this
#: late after its ``expires_at``)
SWEEP_RATE = "rate(1 minute)"

PARAMETERS: dict[str, Any] = {
    "FraudRulesFile": {
        "Type": "String",
        "Default": "",
        "Description": "ACME_FRAUD_RULES of the fraud function: a TOML/JSON rules file inside "
        "the Lambda zip (path from /var/task); empty: the built-in rules (docs/fraud.md)",
    },
    "SweepEnabled": {
        "Type": "String",
        "Default": "ENABLED",
        "AllowedValues": ["ENABLED", "DISABLED"],
        "Description": "state of the expire-pending schedule",
    },
}


def _fraud() -> dict[str, Any]:
    return stream_consumer(
        "fraud",
        "Fraud",
        FRAUD_HANDLER,
        FRAUD_CONSUMER,
        [
            allow(["dynamodb:Query"], [_arn("LedgerTable"), _arn("ArchiveTable")]),
            allow(["dynamodb:GetItem", "dynamodb:PutItem"], [_arn("ViewsTable")]),
        ],
        variables={FRAUD_RULES_VAR: {"Ref": "FraudRulesFile"}},
        Timeout=60,
        MemorySize=512,
        Description="acme-txn: fraud rules on the ledger stream (alerts, profiles)",
    )


def _sweeper() -> dict[str, Any]:
    index = {"Fn::Sub": f"${{LedgerTable.Arn}}/index/{SWEEP_INDEX}"}
    role = lambda_role(
        "SweeperLogGroup",
        [
            allow(["dynamodb:Query"], [index]),
            allow(["dynamodb:Query", "dynamodb:PutItem"], [_arn("LedgerTable")]),
        ],
    )
    return {
        "SweeperLogGroup": log_group_resource("expire-pending"),
        "SweeperRole": role,
        "SweeperFunction": lambda_function(
            "expire-pending",
            SWEEPER_HANDLER,
            "SweeperRole",
            "SweeperLogGroup",
            Timeout=55,  # under the rate: one sweep is over before the next starts
            MemorySize=256,
            Description="acme-txn: expire pending holds past their expiry (scheduled)",
        ),
        "SweepSchedule": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Name": {"Fn::Sub": "${TablePrefix}-expire-pending"},
                "Description": "acme-txn: run the expire-pending sweeper",
                "ScheduleExpression": SWEEP_RATE,
                "State": {"Ref": "SweepEnabled"},
                "Targets": [{"Arn": _arn("SweeperFunction"), "Id": "sweeper"}],
            },
        },
        "SweeperInvokePermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Ref": "SweeperFunction"},
                "Principal": "events.amazonaws.com",
                "SourceArn": _arn("SweepSchedule"),
            },
        },
    }


def consumer_resources() -> dict[str, Any]:
    return {**_fraud(), **_sweeper()}


def consumer_outputs() -> dict[str, Any]:
    def out(value: Any, description: str) -> dict[str, Any]:
        return {"Value": value, "Description": description}

    return {
        "FraudFunction": out({"Ref": "FraudFunction"}, "fraud rules Lambda"),
        "FraudMappingUuid": out({"Ref": "FraudMapping"}, "fraud event source mapping UUID"),
        "FraudOnFailureQueueUrl": out({"Ref": "FraudOnFailureQueue"}, "fraud on-failure queue"),
        "SweeperFunction": out({"Ref": "SweeperFunction"}, "expire-pending sweeper Lambda"),
        "SweepScheduleName": out({"Ref": "SweepSchedule"}, "the sweeper's EventBridge rule"),
    }
