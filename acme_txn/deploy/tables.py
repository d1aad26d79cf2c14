"""The template's table section, generated from ``acme_base.tables`` (one source of truth)."""

from __future__ import annotations

from typing import Any

from acme_base.settings import Settings
from acme_base.tables import TableSpec, all_specs

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
    point-in-time recovery and deletion protection (a parameter)."""
    d = spec.definition
    props: dict[str, Any] = {
        "TableName": {"Fn::Sub": f"${{TablePrefix}}-{_suffix(spec)}"},
        "AttributeDefinitions": d["AttributeDefinitions"],
        "KeySchema": d["KeySchema"],
        "BillingMode": d["BillingMode"],
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "DeletionProtectionEnabled": {"Fn::If": ["ProtectTables", True, False]},
    }
    if d.get("GlobalSecondaryIndexes"):
        props["GlobalSecondaryIndexes"] = d["GlobalSecondaryIndexes"]
    if d.get("StreamSpecification"):
        props["StreamSpecification"] = {
            "StreamViewType": d["StreamSpecification"]["StreamViewType"]
        }
    if spec.ttl_attribute:
        props["TimeToLiveSpecification"] = {"AttributeName": spec.ttl_attribute, "Enabled": True}
    return {
        "Type": "AWS::DynamoDB::Table",
        # undeploy removes the tables; DeletionProtection=true guards production ones
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Retain",
        "Properties": props,
    }


def table_resources() -> dict[str, Any]:
    return {logical_id(_suffix(s)): table_resource(s) for s in _specs()}
