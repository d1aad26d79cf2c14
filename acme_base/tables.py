"""Every table and index the product uses, defined in one place, created idempotently."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from acme_base.aws import call
from acme_base.errors import BackendError, TableMissing
from acme_base.settings import Settings

# Index names follow the seed (ACME bank iterations 4-7).
GSI_INVERTED = "GSI_Inverted"
GSI1 = "GSI1"
GSI2 = "GSI2"
GSI_DECLINED = "GSI_Sparse_TXN_Declined"
GSI_SPECIAL_STATUS = "GSI_Sparse_Customer_Special_Status"
TTL_ATTRIBUTE = "expires_at"
#: fraud alerts by risk score in a date range (seed 003's RiskScoreIndex: a numeric sort key);
#: sparse: only alert items carry ``alert_day``
GSI_ALERTS = "GSI_Sparse_Alerts_RiskScore"
#: loyalty members by tier (seed 004's ``tier-index``); sparse: only member items carry
#: ``loyalty_tier``
GSI_LOYALTY_TIER = "GSI_Sparse_Loyalty_Tier"
#: open pendings by expiry (issue 11 item 1, the sweeper): sparse, only the open-pending
#: markers carry ``pending_index_pk`` (``PENDING#<shard>``) -> ``pending_expires`` (the expiry)
GSI_PENDING_EXPIRY = "GSI_Sparse_Pending_Expiry"


def _gsi(name: str, pk: str, sk: str) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": pk, "KeyType": "HASH"},
            {"AttributeName": sk, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def _attrs(*names: str) -> list[dict[str, str]]:
    return [{"AttributeName": n, "AttributeType": "S"} for n in names]


_KEYS = [
    {"AttributeName": "PK", "KeyType": "HASH"},
    {"AttributeName": "SK", "KeyType": "RANGE"},
]


@dataclass(frozen=True)
class TableSpec:
    name: str
    definition: dict[str, Any]
    ttl_attribute: str | None = None


def ledger_spec(settings: Settings) -> TableSpec:
    """The event store: account event streams, txn idempotency records, customers, accounts.

    GSI1 (overloaded): ``ACCT#id`` -> ``txn_date#seq`` (access pattern #11, txns of an account
    in a date range) and ``PHONE#p`` -> ``CUST#id`` (#2). GSI2 (overloaded): ``DAY#date#shard``
    -> ``ACCT#id#seq`` (#12, all txns of a day, write-sharded) and ``STATE#s`` -> ``CUST#id``
    (#3). GSI_Inverted serves the reverse side of a PK/SK pair (account -> customer). It is
    keyed on ``INV_PK``/``INV_SK`` (copies of SK/PK written only on items that need the
    reverse lookup) instead of SK/PK themselves: on SK every event would land in the index,
    doubling write cost and piling all accounts' ``TXN#<seq>`` onto a few hot partitions.
    """
    return TableSpec(
        name=settings.ledger_table,
        definition={
            "AttributeDefinitions": _attrs(
                "PK",
                "SK",
                "INV_PK",
                "INV_SK",
                "GSI1PK",
                "GSI1SK",
                "GSI2PK",
                "GSI2SK",
                "txn_declined_reason",
                "txn_date",
                "special_status_indicator",
                "pending_index_pk",
                "pending_expires",
            ),
            "KeySchema": _KEYS,
            "GlobalSecondaryIndexes": [
                _gsi(GSI_INVERTED, "INV_PK", "INV_SK"),
                _gsi(GSI1, "GSI1PK", "GSI1SK"),
                _gsi(GSI2, "GSI2PK", "GSI2SK"),
                _gsi(GSI_DECLINED, "txn_declined_reason", "txn_date"),
                # keyed on the indicator (one partition, "yes"), so #4 is a Query, not the
                # seed's Scan: the seed's PK -> indicator makes every customer a partition
                _gsi(GSI_SPECIAL_STATUS, "special_status_indicator", "PK"),
                _gsi(GSI_PENDING_EXPIRY, "pending_index_pk", "pending_expires"),
            ],
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            "BillingMode": "PAY_PER_REQUEST",
        },
        ttl_attribute=TTL_ATTRIBUTE,
    )


def views_spec(settings: Settings) -> TableSpec:
    """Read models: balances, daily totals (sharded), declined index entries."""
    return TableSpec(
        name=settings.views_table,
        definition={
            "AttributeDefinitions": [
                *_attrs("PK", "SK", "txn_declined_reason", "txn_date", "alert_day"),
                *_attrs("loyalty_tier"),
                {"AttributeName": "risk_score", "AttributeType": "N"},
            ],
            "KeySchema": _KEYS,
            "GlobalSecondaryIndexes": [
                _gsi(GSI_DECLINED, "txn_declined_reason", "txn_date"),
                _gsi(GSI_ALERTS, "alert_day", "risk_score"),
                _gsi(GSI_LOYALTY_TIER, "loyalty_tier", "PK"),
            ],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )


def streams_spec(settings: Settings) -> TableSpec:
    """Stream consumer state: checkpoints, shard leases, dead letters."""
    return TableSpec(
        name=settings.streams_table,
        definition={
            "AttributeDefinitions": _attrs("PK", "SK"),
            "KeySchema": _KEYS,
            "BillingMode": "PAY_PER_REQUEST",
        },
    )


def archive_spec(settings: Settings) -> TableSpec:
    """Events older than the retention, moved out of the ledger (``acme-txn archive``): the
    ledger's event keys (``ACCT#id`` / ``TXN#<seq>``), immutable, no index, no stream (nothing
    consumes them; reconcile and rebuild read them with the live log)."""
    return TableSpec(
        name=settings.archive_table,
        definition={
            "AttributeDefinitions": _attrs("PK", "SK"),
            "KeySchema": _KEYS,
            "BillingMode": "PAY_PER_REQUEST",
        },
    )


def all_specs(settings: Settings) -> list[TableSpec]:
    return [
        ledger_spec(settings),
        views_spec(settings),
        streams_spec(settings),
        archive_spec(settings),
    ]


class TableExists(BackendError):
    """CreateTable found the table already there (``ResourceInUseException``)."""


def ensure_table(client: Any, spec: TableSpec) -> str:
    """Create the table if missing and wait until it is ACTIVE. Returns 'created' or 'exists'."""
    try:
        call(
            f"create table {spec.name}",
            client.create_table,
            expect={"ResourceInUseException": TableExists},
            TableName=spec.name,
            **spec.definition,
        )
        status = "created"
    except TableExists:
        status = "exists"
    call(
        f"wait for table {spec.name}",
        client.get_waiter("table_exists").wait,
        TableName=spec.name,
        WaiterConfig={"Delay": 1, "MaxAttempts": 60},
    )
    if spec.ttl_attribute:
        _ensure_ttl(client, spec.name, spec.ttl_attribute)
    _verify(client, spec)
    return status


def _ensure_ttl(client: Any, table: str, attribute: str) -> None:
    """TTL on ``attribute``, enabled once: a table made before it had TTL gets it too, and a
    second run changes nothing (UpdateTimeToLive on an enabled table is an error)."""
    desc = call(f"read TTL of {table}", client.describe_time_to_live, TableName=table)
    ttl = desc.get("TimeToLiveDescription") or {}
    if ttl.get("TimeToLiveStatus") in {"ENABLED", "ENABLING"}:
        if ttl.get("AttributeName") != attribute:
            raise BackendError(
                f"table {table} expires items on {ttl.get('AttributeName')!r}, not {attribute!r}"
            )
        return
    call(
        f"enable TTL on {table}",
        client.update_time_to_live,
        TableName=table,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
    )


def _verify(client: Any, spec: TableSpec) -> None:
    """An existing table must have the keys, indexes and stream we rely on."""
    table = call(f"describe table {spec.name}", client.describe_table, TableName=spec.name)["Table"]
    want_indexes = {g["IndexName"] for g in spec.definition.get("GlobalSecondaryIndexes", [])}
    have_indexes = {g["IndexName"] for g in table.get("GlobalSecondaryIndexes", [])}
    missing = want_indexes - have_indexes
    if missing:
        raise BackendError(f"table {spec.name} lacks indexes {sorted(missing)}")
    _verify_index_keys(spec, table)
    if "StreamSpecification" in spec.definition:
        stream = table.get("StreamSpecification") or {}
        if not stream.get("StreamEnabled") or stream.get("StreamViewType") != "NEW_AND_OLD_IMAGES":
            raise BackendError(f"table {spec.name} needs a NEW_AND_OLD_IMAGES stream")


def _verify_index_keys(spec: TableSpec, table: dict[str, Any]) -> None:
    """An index of an existing table must have the key schema we query it with."""
    have = {g["IndexName"]: g.get("KeySchema") for g in table.get("GlobalSecondaryIndexes", [])}
    for gsi in spec.definition.get("GlobalSecondaryIndexes", []):
        if have.get(gsi["IndexName"]) != gsi["KeySchema"]:
            raise BackendError(
                f"table {spec.name}: index {gsi['IndexName']} is keyed {have.get(gsi['IndexName'])}"
                f", not {gsi['KeySchema']} (an older schema: recreate the table)"
            )


def ensure_tables(client: Any, settings: Settings) -> dict[str, str]:
    return {spec.name: ensure_table(client, spec) for spec in all_specs(settings)}


def delete_tables(client: Any, settings: Settings) -> None:
    for spec in all_specs(settings):
        with contextlib.suppress(TableMissing):  # ResourceNotFoundException: already gone
            call(f"delete table {spec.name}", client.delete_table, TableName=spec.name)
