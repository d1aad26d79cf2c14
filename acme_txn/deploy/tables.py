"""The template's table section, generated from ``acme_base.tables`` (one source of truth)."""

from __future__ import annotations

from typing import Any

from acme_base.settings import Settings
from acme_base.tables import TableSpec, all_specs
from acme_txn.deploy.safety import KEPT_TABLES, key_resources, table_sse

#: a prefix that cannot occur in a table's own suffix, swapped for ``${TablePrefix}``
_PLACEHOLDER = "prefix0placeholder"


def logical_id(suffix: str) -> str:
    """``ledger`` -> ``LedgerTable``."""
    return f"{suffix.title().replace('-', '').replace('_', '')}Table"


def table_suffixes() -> list[str]:
    """The suffix of each table name after ``<prefix>-``: ledger, views, streams, archive."""
    return [_suffix(spec) for spec in _specs()]


def _specs() -> list[TableSpec]:
    return all_specs(Settings(table_prefix=_PLACEHOLDER))


def _suffix(spec: TableSpec) -> str:
    return spec.name.removeprefix(f"{_PLACEHOLDER}-")


def table_resource(spec: TableSpec) -> dict[str, Any]:
    """One ``AWS::DynamoDB::Table``: the spec's keys, indexes, stream and billing, plus TTL,
    point-in-time recovery, deletion protection (a parameter, on by default), encryption
    with the customer-managed key, and kept by the stack if it holds money or customers
    (``deploy.safety``)."""
    d = spec.definition
    props: dict[str, Any] = {
        "TableName": {"Fn::Sub": f"${{TablePrefix}}-{_suffix(spec)}"},
        "AttributeDefinitions": d["AttributeDefinitions"],
        "KeySchema": d["KeySchema"],
        "BillingMode": d["BillingMode"],
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "DeletionProtectionEnabled": {"Fn::If": ["ProtectTables", True, False]},
        "SSESpecification": table_sse(),
    }
    if d.get("GlobalSecondaryIndexes"):
        props["GlobalSecondaryIndexes"] = d["GlobalSecondaryIndexes"]
    if d.get("StreamSpecification"):
        props["StreamSpecification"] = {
            "StreamViewType": d["StreamSpecification"]["StreamViewType"]
        }
    if spec.ttl_attribute:
        props["TimeToLiveSpecification"] = {"AttributeName": spec.ttl_attribute, "Enabled": True}
    # money and customers outlive the stack (undeploy --delete-tables removes them on
    # purpose); the streams table holds only consumers' positions and dead letters
    policy = "Retain" if _suffix(spec) in KEPT_TABLES else "Delete"
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": policy,
        "UpdateReplacePolicy": "Retain",
        "Properties": props,
    }


def table_resources() -> dict[str, Any]:
    return {
        **{logical_id(_suffix(s)): table_resource(s) for s in _specs()},
        **key_resources(),
    }
