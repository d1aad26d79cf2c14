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
from acme_txn.deploy.functions import allow
from acme_txn.deploy.stream_consumer import arn, stream_consumer

APPS_HANDLER = "acme_txn.lambda_handlers.apps_handler"
#: what the sink does to the views table (TransactWriteItems is authorised per part)
VIEWS_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]


def apps_resources() -> dict[str, Any]:
    return stream_consumer(
        "apps",
        "Apps",
        APPS_HANDLER,
        APPS_CONSUMER,
        [
            allow(["dynamodb:Query"], [arn("LedgerTable")]),
            allow(VIEWS_ACTIONS, [arn("ViewsTable")]),
        ],
        Timeout=60,
        MemorySize=512,
        Description="acme-txn: loyalty and budget views on the ledger stream",
    )


def apps_outputs() -> dict[str, Any]:
    def out(value: Any, description: str) -> dict[str, Any]:
        return {"Value": value, "Description": description}

    return {
        "AppsFunction": out({"Ref": "AppsFunction"}, "loyalty/budgets stream Lambda"),
        "AppsMappingUuid": out({"Ref": "AppsMapping"}, "apps event source mapping UUID"),
        "AppsOnFailureQueueUrl": out({"Ref": "AppsOnFailureQueue"}, "apps on-failure queue"),
    }
