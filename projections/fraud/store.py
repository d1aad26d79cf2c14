"""``FraudStore`` on DynamoDB: profiles and alerts as items of the views table.

- profile: ``PK=FRAUD#<account>``, ``SK=PROFILE``; ``applied_seq`` (the guard) and ``doc``
  (the profile as JSON text: its running statistics are floats, which DynamoDB's number type
  would not give back bit for bit). Written with ``attribute_not_exists(PK)`` or
  ``applied_seq = :expected``.
- alert: ``PK=ALERT#<id>``, ``SK=ALERT``; put with ``attribute_not_exists(PK)``, so the same
  evidence is stored once; ``alert_day`` (S) and ``risk_score`` (N) are the keys of the sparse
  ``GSI_Sparse_Alerts_RiskScore`` (only alerts carry ``alert_day``). "Alerts by risk score in
  a date range" is one Query per day of the range (``alert_day = :d AND risk_score >= :min``,
  highest first), merged: a day's alerts are one small partition, and a range of N days costs
  N queries of its matching alerts only. Status changes are an update conditional on the
  status read (a concurrent change makes it fail, never overwrite).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from acme_base.aws import call, deserialize, paginate_items, serialize
from acme_base.errors import ConditionFailed
from acme_base.keys import alert_key, fraud_profile_key
from acme_base.tables import GSI_ALERTS
from projections.fraud.model import Alert, Profile
from projections.fraud.ports import (
    ProfileMoved,
    StatusRefused,
    UnknownAlert,
    check_transition,
    ranked,
)

ALERT, PROFILE = "alert", "fraud_profile"


def alert_item(alert: Alert) -> dict[str, Any]:
    item: dict[str, Any] = {
        **alert_key(alert.alert_id),
        "entity": ALERT,
        "alert_id": alert.alert_id,
        "rule": alert.rule,
        "account_id": alert.account_id,
        "window_start": alert.window_start,
        "window_end": alert.window_end,
        "evidence": list(alert.evidence),
        "risk_score": alert.risk_score,
        "alert_day": alert.alert_day,
        "detail": alert.detail,
        "status": alert.status,
    }
    for name in ("note", "reviewer", "reviewed_at"):
        if getattr(alert, name) is not None:
            item[name] = getattr(alert, name)
    return item


def alert_of(item: dict[str, Any]) -> Alert:
    return Alert(
        alert_id=str(item["alert_id"]),
        rule=str(item["rule"]),
        account_id=str(item["account_id"]),
        window_start=str(item["window_start"]),
        window_end=str(item["window_end"]),
        evidence=tuple(str(e) for e in item["evidence"]),
        risk_score=int(item["risk_score"]),
        alert_day=str(item["alert_day"]),
        detail=str(item.get("detail", "")),
        status=str(item["status"]),
        note=item.get("note"),
        reviewer=item.get("reviewer"),
        reviewed_at=item.get("reviewed_at"),
    )


class DynamoFraudStore:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def profile(self, account_id: str) -> Profile | None:
        resp = call(
            f"read fraud profile of {account_id}",
            self.client.get_item,
            TableName=self.table,
            Key=serialize(fraud_profile_key(account_id)),
            ConsistentRead=True,
        )
        item = resp.get("Item")
        return None if item is None else Profile.from_doc(json.loads(deserialize(item)["doc"]))

    def save_profile(self, profile: Profile, expected_seq: int | None) -> None:
        item = {
            **fraud_profile_key(profile.account_id),
            "entity": PROFILE,
            "account_id": profile.account_id,
            "applied_seq": profile.applied_seq,
            "doc": json.dumps(profile.to_doc(), separators=(",", ":")),
        }
        guard: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(PK)"}
        if expected_seq is not None:
            guard = {
                "ConditionExpression": "applied_seq = :expected",
                "ExpressionAttributeValues": {":expected": {"N": str(expected_seq)}},
            }
        try:
            call(
                f"write fraud profile of {profile.account_id}",
                self.client.put_item,
                TableName=self.table,
                Item=serialize(item),
                **guard,
            )
        except ConditionFailed as exc:
            raise ProfileMoved(f"profile of {profile.account_id} moved") from exc

    def put_alert(self, alert: Alert) -> bool:
        try:
            call(
                f"put alert {alert.alert_id}",
                self.client.put_item,
                TableName=self.table,
                Item=serialize(alert_item(alert)),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ConditionFailed:
            return False
        return True

    def alert(self, alert_id: str) -> Alert | None:
        resp = call(
            f"read alert {alert_id}",
            self.client.get_item,
            TableName=self.table,
            Key=serialize(alert_key(alert_id)),
            ConsistentRead=True,
        )
        item = resp.get("Item")
        return None if item is None else alert_of(deserialize(item))

    def alerts(self, days: Sequence[str], min_score: int = 0) -> list[Alert]:
        found: list[Alert] = []
        for day in days:
            items = paginate_items(
                self.client,
                "query",
                f"read alerts of {day}",
                TableName=self.table,
                IndexName=GSI_ALERTS,
                KeyConditionExpression="alert_day = :d AND risk_score >= :s",
                ExpressionAttributeValues={":d": {"S": day}, ":s": {"N": str(min_score)}},
                ScanIndexForward=False,
            )
            found += [alert_of(deserialize(i)) for i in items]
        return ranked(found)

    def set_status(self, alert_id: str, status: str, *, note: str, reviewer: str, at: str) -> Alert:
        alert = self.alert(alert_id)
        if alert is None:
            raise UnknownAlert(f"no alert {alert_id}")
        check_transition(alert, status)
        try:
            resp = call(
                f"set status of alert {alert_id}",
                self.client.update_item,
                TableName=self.table,
                Key=serialize(alert_key(alert_id)),
                UpdateExpression="SET #s = :new, note = :note, reviewer = :who, reviewed_at = :at",
                ConditionExpression="#s = :old",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=serialize(
                    {
                        ":new": status,
                        ":old": alert.status,
                        ":note": note,
                        ":who": reviewer,
                        ":at": at,
                    }
                ),
                ReturnValues="ALL_NEW",
            )
        except ConditionFailed as exc:
            raise StatusRefused(f"alert {alert_id} changed meanwhile; look again") from exc
        return alert_of(deserialize(resp["Attributes"]))
