"""The event store: the only module that reads and writes the ledger table's txn side.

Appends are ``TransactWriteItems`` of conditional puts: each event with
``attribute_not_exists(PK)`` on its (account, seq) key, so two writers can never take the same
seq, and each command's idempotency record on ``TXN#<txn_id>`` the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from acme_base.aws import call, deserialize, error_code, paginate_items, serialize, translate
from acme_base.keys import account_pk, seq_sk, txn_pk
from processor.codec import event_to_item, item_to_event
from processor.decide import AccountState, fold
from processor.events import AccountOpened, LedgerEvent
from processor.outcomes import Outcome

NOT_EXISTS = "attribute_not_exists(PK)"


@dataclass(frozen=True)
class IdempotencyRecord:
    txn_id: str
    fingerprint: str
    outcome: Outcome


class SeqTaken(Exception):
    """Internal: another writer appended first; re-read and retry."""


@dataclass
class TxnIdsTaken(Exception):
    """Internal: these txn ids already have idempotency records (the rest may retry)."""

    txn_ids: list[str] = field(default_factory=list)


@dataclass
class EventStore:
    client: Any
    table: str
    consumed_capacity: list[float] = field(default_factory=list)
    record_capacity: bool = False

    # --- reads ----------------------------------------------------------------------------

    def head(self, account_id: str) -> LedgerEvent | None:
        """The latest event of an account, strongly consistent."""
        resp = call(
            "read account head",
            self.client.query,
            TableName=self.table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :t)",
            ExpressionAttributeValues={":pk": {"S": account_pk(account_id)}, ":t": {"S": "TXN#"}},
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = resp.get("Items", [])
        return item_to_event(deserialize(items[0])) if items else None

    def state(self, account_id: str) -> AccountState | None:
        """Account state from its head event (the head carries the running balance)."""
        head = self.head(account_id)
        if head is None:
            return None
        if isinstance(head, AccountOpened):
            return AccountState(account_id, head.customer_id, head.currency, 0, 0)
        return AccountState(account_id, "", head.currency, head.balance_after, head.seq)

    def events(
        self, account_id: str, from_seq: int = 0, to_seq: int | None = None
    ) -> Iterator[LedgerEvent]:
        """Events of one account in seq order, optionally a seq range (inclusive)."""
        upper = seq_sk(to_seq) if to_seq is not None else "TXN#~"
        items = paginate_items(
            self.client,
            "query",
            f"read events of {account_id}",
            TableName=self.table,
            ConsistentRead=True,
            KeyConditionExpression="PK = :pk AND SK BETWEEN :lo AND :hi",
            ExpressionAttributeValues={
                ":pk": {"S": account_pk(account_id)},
                ":lo": {"S": seq_sk(from_seq)},
                ":hi": {"S": upper},
            },
        )
        for item in items:
            yield item_to_event(deserialize(item))

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
        extra: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Append events and idempotency records atomically, or raise SeqTaken/TxnIdsTaken."""
        now = datetime.now(UTC).isoformat()
        actions: list[dict[str, Any]] = [self._put(event_to_item(e)) for e in events]
        actions += [self._put(_record_item(r, now)) for r in records]
        actions += list(extra)
        kwargs: dict[str, Any] = {"TransactItems": actions}
        if self.record_capacity:
            kwargs["ReturnConsumedCapacity"] = "TOTAL"
        try:
            resp = self.client.transact_write_items(**kwargs)
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                self._raise_cancelled(exc, len(events), records)
            raise translate(exc, "append events") from exc
        except BotoCoreError as exc:
            raise translate(exc, "append events") from exc
        if self.record_capacity:
            total = sum(c.get("CapacityUnits", 0) for c in resp.get("ConsumedCapacity", []))
            self.consumed_capacity.append(total)

    def _put(self, item: dict[str, Any]) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table,
                "Item": serialize(item),
                "ConditionExpression": NOT_EXISTS,
            }
        }

    def _raise_cancelled(
        self, exc: ClientError, n_events: int, records: Sequence[IdempotencyRecord]
    ) -> None:
        reasons = exc.response.get("CancellationReasons") or []
        codes = [r.get("Code", "None") for r in reasons]
        taken = [
            records[i - n_events].txn_id
            for i, code in enumerate(codes)
            if code == "ConditionalCheckFailed" and n_events <= i < n_events + len(records)
        ]
        if taken:
            raise TxnIdsTaken(taken) from exc
        if any(code == "ConditionalCheckFailed" for code in codes[:n_events]):
            raise SeqTaken() from exc
        if any(code == "TransactionConflict" for code in codes) or not codes:
            raise SeqTaken() from exc  # a concurrent transaction touched our items: retry
        raise translate(exc, f"append events (cancelled: {codes})") from exc


def _record_item(record: IdempotencyRecord, now: str) -> dict[str, Any]:
    outcome = record.outcome
    return {
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
