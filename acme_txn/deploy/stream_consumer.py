"""One stream consumer's resources, the same five for every consumer past the projections:
its on-failure queue, log group, role, function and event source mapping on the ledger stream.

The role always reads the ledger stream and sends to its own queue; ``grants`` add what the
consumer's code touches in the tables (each caller lists it, with the why, in its docstring).
"""

from __future__ import annotations

from typing import Any

from acme_txn.deploy.functions import (
    STREAM_READ,
    allow,
    lambda_function,
    lambda_role,
    log_group_resource,
    on_failure_queue,
    stream_mapping,
)
from streams.config import EsmConfig


def arn(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def stream_consumer(
    name: str,
    logical: str,
    handler: str,
    consumer: EsmConfig,
    grants: list[dict[str, Any]],
    **function: Any,
) -> dict[str, Any]:
    """``<logical>OnFailureQueue``, ``…LogGroup``, ``…Role``, ``…Function``, ``…Mapping``."""
    queue, logs, role, fn = (
        f"{logical}{part}" for part in ("OnFailureQueue", "LogGroup", "Role", "Function")
    )
    statements = [
        allow(STREAM_READ, [{"Fn::GetAtt": ["LedgerTable", "StreamArn"]}]),
        *grants,
        allow(["sqs:SendMessage"], [arn(queue)]),
    ]
    return {
        queue: on_failure_queue(name),
        logs: log_group_resource(name),
        role: lambda_role(logs, statements),
        fn: lambda_function(name, handler, role, logs, **function),
        f"{logical}Mapping": stream_mapping(fn, queue, consumer),
    }
