"""The DynamoDB event store: the only module that reads and writes the ledger table's txn side.

Appends are one ``TransactWriteItems`` of conditional puts: each event with
``attribute_not_exists(PK)`` on its (account, seq) key, so two writers can never take the same
seq, and each command's idempotency record on ``TXN#<txn_id>`` the same way. The typed
cancellation reasons of ``acme_base.aws.transact_write`` say which claim failed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from acme_base.aws import call, deserialize, paginate_items, serialize, transact_write
from acme_base.errors import TransactionCancelled, UnknownCustomer
from acme_base.keys import TXN_PREFIX, account_pk, txn_pk
from processor.accounts import CUSTOMER_CHECK, open_account_actions
from processor.archive import Step
from processor.archive_store import cut_history
from processor.codec import event_to_item, item_to_event
from processor.commands import OpenAccount
from processor.decide import AccountState, fold
from processor.event_reads import read_event_range
from processor.events import LedgerEvent
from processor.outcomes import Outcome
from processor.ports import (
    IdempotencyRecord,
    SeqTaken,
    TxnIdsTaken,
    check_append,
    state_of_head,
)
from processor.txn_details import details_attributes, events_by_txn

__all__ = ["DynamoEventStore", "IdempotencyRecord", "SeqTaken", "TxnIdsTaken"]

NOT_EXISTS = "attribute_not_exists(PK)"


@dataclass
class DynamoEventStore:
    """``processor.ports.EventStore`` on the ledger table (``record_capacity``: keep the
    consumed capacity units of every append in ``consumed_capacity``, for the benchmarks)."""

    client: Any
    table: str
    record_capacity: bool = False
    consumed_capacity: list[float] = field(default_factory=list)

    # --- reads ----------------------------------------------------------------------------

    def head(self, account_id: str) -> LedgerEvent | None:
        """The latest event of an account, strongly consistent."""
        resp = call(
            "read account head",
            self.client.query,
            TableName=self.table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :t)",
            ExpressionAttributeValues={
                ":pk": {"S": account_pk(account_id)},
                ":t": {"S": TXN_PREFIX},
            },
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = resp.get("Items", [])
        return item_to_event(deserialize(items[0])) if items else None

    def state(self, account_id: str) -> AccountState | None:
        return state_of_head(account_id, self.head(account_id))

    def events(
        self, account_id: str, from_seq: int = 0, to_seq: int | None = None
    ) -> Iterator[LedgerEvent]:
        """Events of one account in seq order, optionally a seq range (inclusive)."""
        return read_event_range(self.client, self.table, account_id, from_seq, to_seq)

    def replay(self, account_id: str) -> AccountState | None:
        """Fold the whole stream (checks every invariant on the way)."""
        return fold(self.events(account_id))

    def all_events(self) -> Iterator[LedgerEvent]:
        """Every event in the table (a Scan; for reconcile and rebuild, not hot paths)."""
        items = paginate_items(
            self.client,
            "scan",
            "scan the event log",
            TableName=self.table,
            FilterExpression="entity = :e",
            ExpressionAttributeValues={":e": {"S": "txn"}},
            ConsistentRead=True,
        )
        for item in items:
            yield item_to_event(deserialize(item))

    def idempotency_record(self, txn_id: str) -> IdempotencyRecord | None:
        resp = call(
            "read txn",
            self.client.get_item,
            TableName=self.table,
            Key={"PK": {"S": txn_pk(txn_id)}, "SK": {"S": txn_pk(txn_id)}},
            ConsistentRead=True,
        )
        item = resp.get("Item")
        if not item:
            return None
        plain = deserialize(item)
        return IdempotencyRecord(
            txn_id=txn_id,
            fingerprint=str(plain["fingerprint"]),
            outcome=Outcome.model_validate(json.loads(str(plain["outcome"]))),
        )

    # --- writes ---------------------------------------------------------------------------

    def append(
        self,
        events: Sequence[LedgerEvent],
        records: Sequence[IdempotencyRecord],
        opening: OpenAccount | None = None,
    ) -> None:
        """Append events and idempotency records atomically, or raise SeqTaken/TxnIdsTaken."""
        opened = check_append(events, records, opening)
        now = datetime.now(UTC).isoformat()
        actions: list[dict[str, Any]] = [self._put(event_to_item(e)) for e in events]
        by_txn = events_by_txn(events)
        actions += [self._put(_record_item(r, now, by_txn.get(r.txn_id, []))) for r in records]
        if opening is not None and opened is not None:
            actions += open_account_actions(self.table, opening, opened.occurred_at.isoformat())
        try:
            units = transact_write(
                self.client, actions, "append events", capacity=self.record_capacity
            )
        except TransactionCancelled as exc:
            if opening is not None and len(events) + len(records) + CUSTOMER_CHECK in exc.failed():
                raise UnknownCustomer(opening.customer_id) from exc
            lost = _lost_claim(exc, len(events), records)
            if lost is None:
                raise  # not a claim that failed: a backend error
            raise lost from exc
        if self.record_capacity:
            self.consumed_capacity.append(units)

    def cut_history(self, step: Step) -> None:
        """One archival step (``processor.archive_ports.ArchivableStore``): conditional
        deletes + the snapshot's conditional put, in one transaction."""
        cut_history(self.client, self.table, step)

    def _put(self, item: dict[str, Any]) -> dict[str, Any]:
        """A conditional put: the item's key must be free (mutation tests patch this)."""
        return {
            "Put": {
                "TableName": self.table,
                "Item": serialize(item),
                "ConditionExpression": NOT_EXISTS,
            }
        }


def _lost_claim(
    exc: TransactionCancelled, n_events: int, records: Sequence[IdempotencyRecord]
) -> TxnIdsTaken | SeqTaken | None:
    """Which claim of a cancelled append was lost: taken txn ids win over a taken seq, and a
    concurrent transaction on our items is a lost race too. None: something else failed."""
    failed = exc.failed()
    taken = [
        records[i - n_events].txn_id for i in failed if n_events <= i < n_events + len(records)
    ]
    if taken:
        return TxnIdsTaken(taken)
    if any(i < n_events for i in failed) or exc.conflict:
        return SeqTaken()
    return None


def _record_item(
    record: IdempotencyRecord, now: str, events: Sequence[LedgerEvent] = ()
) -> dict[str, Any]:
    """The idempotency record; with its command's events, also the txn's details (#10)."""
    outcome = record.outcome
    details = details_attributes(events) if events else {}
    return {
        **details,
        "PK": txn_pk(record.txn_id),
        "SK": txn_pk(record.txn_id),
        "entity": "txn_record",
        "txn_id": record.txn_id,
        "fingerprint": record.fingerprint,
        "status": outcome.status,
        "account_id": outcome.account_id or "",
        "outcome": json.dumps(outcome.to_json_dict(), sort_keys=True),
        "recorded_at": now,
    }
