"""Checkpoints and leases of the poller on DynamoDB (the ``streams.lease_ports`` port), one
item per (consumer, stream, shard) in the ``<prefix>-streams`` table, like the KCL's lease
table.

A shard's checkpoint lives in its lease item and is only written under the condition that we
still hold the lease, so a poller that lost its lease (it stalled past the expiry and another
poller took over) can never move the checkpoint. Leases are taken with a conditional update
(free, expired, or already ours) and carry an expiry in epoch milliseconds.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Any

from acme_base.aws import call, deserialize, paginate_items
from acme_base.errors import ConditionFailed
from streams.lease_ports import Clock, LeaseLost, ShardState

__all__ = ["DynamoLeaseTable", "LeaseLost", "ShardState", "StreamState", "live_leases"]


def _state(item: dict[str, Any]) -> ShardState:
    plain = deserialize(item)
    return ShardState(
        shard_id=str(plain["shard_id"]),
        checkpoint=str(plain["checkpoint"]) if plain.get("checkpoint") else None,
        finished=bool(plain.get("finished", False)),
        owner=str(plain["lease_owner"]) if plain.get("lease_owner") else None,
        lease_expires_ms=int(plain.get("lease_expires", 0)),
    )


@dataclass
class StreamState:
    client: Any
    table: str
    consumer: str
    stream_label: str
    owner: str
    lease_seconds: float = 30.0
    clock: Clock = time.time

    @property
    def pk(self) -> str:
        return f"ESM#{self.consumer}"

    def _key(self, shard_id: str) -> dict[str, Any]:
        return {"PK": {"S": self.pk}, "SK": {"S": f"{self.stream_label}#{shard_id}"}}

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    def load_all(self) -> dict[str, ShardState]:
        items = paginate_items(
            self.client,
            "query",
            "read stream checkpoints",
            TableName=self.table,
            ConsistentRead=True,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :label)",
            ExpressionAttributeValues={
                ":pk": {"S": self.pk},
                ":label": {"S": f"{self.stream_label}#"},
            },
        )
        states = [_state(i) for i in items]
        return {s.shard_id: s for s in states}

    def acquire(self, shard_id: str) -> ShardState | None:
        """Take (or keep) the lease of an unfinished shard; None if someone else holds it."""
        free = "(attribute_not_exists(lease_owner) OR lease_owner = :me OR lease_expires < :now)"
        return self._take(shard_id, "acquire", free, {":now": {"N": str(self._now_ms())}})

    def take_over(self, shard_id: str, holder: str) -> ShardState | None:
        """Take the lease from ``holder`` (proven dead) at once; None if it moved meanwhile."""
        return self._take(
            shard_id, "take over", "lease_owner = :holder", {":holder": {"S": holder}}
        )

    def _take(
        self, shard_id: str, what: str, condition: str, values: dict[str, Any]
    ) -> ShardState | None:
        now = self._now_ms()
        try:
            resp = call(
                f"{what} lease on {shard_id}",
                self.client.update_item,
                TableName=self.table,
                Key=self._key(shard_id),
                UpdateExpression="SET lease_owner = :me, lease_expires = :exp, shard_id = :sid,"
                " lease_taken = if_not_exists(lease_taken, :zero) + :one",
                ConditionExpression=f"{condition} AND"
                " (attribute_not_exists(finished) OR finished = :false)",
                ExpressionAttributeValues={
                    **values,
                    ":me": {"S": self.owner},
                    ":sid": {"S": shard_id},
                    ":exp": {"N": str(now + int(self.lease_seconds * 1000))},
                    ":false": {"BOOL": False},
                    ":zero": {"N": "0"},
                    ":one": {"N": "1"},
                },
                ReturnValues="ALL_NEW",
            )
        except ConditionFailed:  # held by a live poller, or the shard is finished
            return None
        return _state(resp["Attributes"])

    def _guarded(self, shard_id: str, what: str, update: str, values: dict[str, Any]) -> None:
        values = {**values, ":me": {"S": self.owner}}
        if ":exp" in update:
            values[":exp"] = {"N": str(self._now_ms() + int(self.lease_seconds * 1000))}
        try:
            call(
                f"{what} {shard_id}",
                self.client.update_item,
                TableName=self.table,
                Key=self._key(shard_id),
                UpdateExpression=update,
                ConditionExpression="lease_owner = :me",
                ExpressionAttributeValues=values,
            )
        except ConditionFailed as exc:
            raise LeaseLost(f"lease on {shard_id} lost ({what})") from exc

    def renew(self, shard_id: str) -> None:
        self._guarded(shard_id, "renew lease", "SET lease_expires = :exp", {})

    def checkpoint(self, shard_id: str, seq: str | None, finished: bool = False) -> None:
        """Record progress (and renew the lease); raise LeaseLost if it is not ours."""
        sets = ["lease_expires = :exp", "finished = :fin"]
        values: dict[str, Any] = {":fin": {"BOOL": finished}}
        if seq is not None:
            sets.append("checkpoint = :seq")
            values[":seq"] = {"S": seq}
        self._guarded(shard_id, "checkpoint", "SET " + ", ".join(sets), values)

    def release(self, shard_id: str) -> None:
        """Give the lease up (another poller may take the shard at once)."""
        with contextlib.suppress(LeaseLost):
            self._guarded(
                shard_id,
                "release lease",
                "SET lease_expires = :zero REMOVE lease_owner",
                {":zero": {"N": "0"}},
            )


@dataclass
class DynamoLeaseTable:
    """The ``<prefix>-streams`` table as the ``LeaseTable`` port."""

    client: Any
    table: str

    def open(
        self, consumer: str, stream_label: str, owner: str, lease_seconds: float, clock: Clock
    ) -> StreamState:
        return StreamState(
            self.client, self.table, consumer, stream_label, owner, lease_seconds, clock
        )

    def live_leases(self, now: float) -> list[ShardState]:
        return live_leases(self.client, self.table, now)


def live_leases(client: Any, table: str, now: float | None = None) -> list[ShardState]:
    """Shard leases of any consumer that have not expired: a poller is (or was just) running."""
    now_ms = int((time.time() if now is None else now) * 1000)
    items = paginate_items(
        client,
        "scan",
        "read stream leases",
        TableName=table,
        ConsistentRead=True,
        FilterExpression="attribute_exists(lease_owner) AND lease_expires > :now",
        ExpressionAttributeValues={":now": {"N": str(now_ms)}},
    )
    return [_state(item) for item in items]
