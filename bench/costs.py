"""Capacity units per request, from the requests a DynamoDB client actually sends (item 5).

``Recorder`` wraps a boto3 DynamoDB client: every write request's items (the real codec's
items, as sent) and every read's returned items are costed by ``bench.capacity``'s rules,
into ``units`` (WCU, RCU). An ``Update`` is costed on the item after it (read back, outside
the tally), a ``ConditionCheck`` as a transactional read. Paginated reads (``get_paginator``: full
scans and event-range reads of rebuilds) pass through uncosted. ``cost_table()`` is what the
deploy docs reference: WCU/RCU and the on-demand price per million of each command type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from acme_base.aws import deserialize
from bench.capacity import item_size, item_write_units, read_units

Indexes = Mapping[str, Mapping[str, tuple[str, ...]]]  # table -> index -> key attributes


@dataclass
class Units:
    wcu: float = 0.0
    rcu: float = 0.0

    def add(self, other: Units) -> None:
        self.wcu += other.wcu
        self.rcu += other.rcu


@dataclass
class Recorder:
    """A DynamoDB client that tallies the AWS capacity of what passes through it."""

    client: Any
    indexes: Indexes
    units: Units = field(default_factory=Units)
    enabled: bool = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def reset(self) -> Units:
        taken, self.units = self.units, Units()
        return taken

    # --- writes ---------------------------------------------------------------------------

    def put_item(self, **kwargs: Any) -> Any:
        resp = self.client.put_item(**kwargs)
        self._written(kwargs["TableName"], deserialize(kwargs["Item"]), False)
        return resp

    def update_item(self, **kwargs: Any) -> Any:
        resp = self.client.update_item(**kwargs)
        self._updated(kwargs["TableName"], kwargs["Key"], False)
        return resp

    def delete_item(self, **kwargs: Any) -> Any:
        resp = self.client.delete_item(**kwargs)
        self.units.wcu += 1
        return resp

    def batch_write_item(self, **kwargs: Any) -> Any:
        resp = self.client.batch_write_item(**kwargs)
        for table, requests in kwargs["RequestItems"].items():
            for request in requests:
                if "PutRequest" in request:
                    self._written(table, deserialize(request["PutRequest"]["Item"]), False)
                else:
                    self.units.wcu += 1
        return resp

    def transact_write_items(self, **kwargs: Any) -> Any:
        resp = self.client.transact_write_items(**kwargs)  # only a success is costed
        for action in kwargs["TransactItems"]:
            kind, body = next(iter(action.items()))
            if kind == "Put":
                self._written(body["TableName"], deserialize(body["Item"]), True)
            elif kind == "Update":
                self._updated(body["TableName"], body["Key"], True)
            elif kind == "Delete":
                self.units.wcu += 2
            else:  # ConditionCheck
                self.units.rcu += read_units(
                    [self._size(body["TableName"], body["Key"])], transactional=True
                )
        return resp

    # --- reads ----------------------------------------------------------------------------

    def get_item(self, **kwargs: Any) -> Any:
        resp = self.client.get_item(**kwargs)
        sizes = [item_size(deserialize(resp["Item"]))] if resp.get("Item") else [0]
        self.units.rcu += read_units(sizes, consistent=bool(kwargs.get("ConsistentRead")))
        return resp

    def query(self, **kwargs: Any) -> Any:
        resp = self.client.query(**kwargs)
        sizes = [item_size(deserialize(i)) for i in resp.get("Items", [])]
        self.units.rcu += read_units(sizes, consistent=bool(kwargs.get("ConsistentRead")))
        return resp

    def batch_get_item(self, **kwargs: Any) -> Any:
        resp = self.client.batch_get_item(**kwargs)
        for table, items in resp.get("Responses", {}).items():
            consistent = bool(kwargs["RequestItems"][table].get("ConsistentRead"))
            for item in items:  # each item is its own read
                self.units.rcu += read_units([item_size(deserialize(item))], consistent=consistent)
        return resp

    # --- helpers --------------------------------------------------------------------------

    def _written(self, table: str, item: dict[str, Any], transactional: bool) -> None:
        indexes = self.indexes.get(table, {})
        self.units.wcu += item_write_units(item, indexes, transactional=transactional)

    def _updated(self, table: str, key: dict[str, Any], transactional: bool) -> None:
        resp = self.client.get_item(TableName=table, Key=key, ConsistentRead=True)
        self._written(table, deserialize(resp.get("Item", key)), transactional)

    def _size(self, table: str, key: dict[str, Any]) -> int:
        resp = self.client.get_item(TableName=table, Key=key, ConsistentRead=True)
        return item_size(deserialize(resp.get("Item", key)))
