"""The template's applications consumer: loyalty and budget views (``apps/``) on a third
mapping on the ledger stream, settings from ``APPS_CONSUMER``; built like the fraud consumer
(``deploy.consumers``) from the helpers of ``deploy.functions``.

Its role grants what ``App.apps_sink`` calls (``LoyaltyProjector``/``SpendProjector``
catching members and users up, ``DynamoLoyaltyStore``, ``DynamoBudgetStore``):

- the ledger stream; ``Query`` on the ledger table only (``DynamoEventStore.events``, no
  archive reads, no index);
- on the views table: ``GetItem`` (member, spend cursor, spend, budget), ``PutItem`` and
  ``UpdateItem`` as the parts of its ``TransactWriteItems`` (member + index items, spend
  cursor ``Update`` + spend ``ADD`` + expense ``Put``, notification marker + note) and the
  plain puts of a long fold. No ``Query``: the stores' queries (by tier, orders, expenses,
  notifications) answer the CLI, never the sink; no ``DeleteItem``, no ``Scan``;
- ``SendMessage`` to its own on-failure queue.
"""

from __future__ import annotations

from typing import Any

from acme_txn.bootstrap import APPS_CONSUMER
from acme_txn.deploy.functions import (
    STREAM_READ,
    allow,
    lambda_function,
    lambda_role,
    log_group_resource,
    on_failure_queue,
    stream_mapping,
)

APPS_HANDLER = "acme_txn.lambda_handlers.apps_handler"
#: what the sink does to the views table (TransactWriteItems is authorised per part)
VIEWS_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]


def _arn(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def apps_resources() -> dict[str, Any]:
    role = lambda_role(
        "AppsLogGroup",
        [
            allow(STREAM_READ, [{"Fn::GetAtt": ["LedgerTable", "StreamArn"]}]),
            allow(["dynamodb:Query"], [_arn("LedgerTable")]),
            allow(VIEWS_ACTIONS, [_arn("ViewsTable")]),
            allow(["sqs:SendMessage"], [_arn("AppsOnFailureQueue")]),
        ],
    )
    return {
        "AppsOnFailureQueue": on_failure_queue("apps"),
        "AppsLogGroup": log_group_resource("apps"),
        "AppsRole": role,
        "AppsFunction": lambda_function(
            "apps",
            APPS_HANDLER,
            "AppsRole",
            "AppsLogGroup",
            Timeout=60,
            MemorySize=512,
            Description="acme-txn: loyalty and budget views on the ledger stream",
        ),
        "AppsMapping": stream_mapping("AppsFunction", "AppsOnFailureQueue", APPS_CONSUMER),
    }


def apps_outputs() -> dict[str, Any]:
    def out(value: Any, description: str) -> dict[str, Any]:
        return {"Value": value, "Description": description}

    return {
        "AppsFunction": out({"Ref": "AppsFunction"}, "loyalty/budgets stream Lambda"),
        "AppsMappingUuid": out({"Ref": "AppsMapping"}, "apps event source mapping UUID"),
        "AppsOnFailureQueueUrl": out({"Ref": "AppsOnFailureQueue"}, "apps on-failure queue"),
    }
