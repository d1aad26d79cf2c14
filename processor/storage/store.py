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
from acme_base.keys import (
    PENDING_SHARDS,
    TXN_PREFIX,
    account_pk,
    expiry_sort_key,
    pending_index_pk,
    txn_pk,
)
from acme_base.tables import GSI_PENDING_EXPIRY
from processor.domain.archive import Step
from processor.domain.commands import OpenAccount
from processor.domain.decide import AccountState, fold
from processor.domain.events import LedgerEvent
from processor.domain.outcomes import Outcome
from processor.storage.accounts import CUSTOMER_CHECK, open_account_actions
from processor.storage.append_batch import AppendRequest, Results, chunks, results_of_cancelled
from processor.storage.archive_store import cut_history
from processor.storage.codec import event_to_item, item_to_event
from processor.storage.event_reads import read_event_range
from processor.storage.pending_index import (
    MARKER_ENTITY,
    OpenPending,
    is_claim,
    marker_item,
    markers_of,
    open_of,
)
from processor.storage.ports import (
    IdempotencyRecord,
    SeqTaken,
    TxnIdsTaken,
    check_append,
    state_of_head,
)
from processor.storage.txn_details import details_attributes, events_by_txn

__all__ = ["DynamoEventStore", "IdempotencyRecord", "SeqTaken", "TxnIdsTaken"]

NOT_EXISTS = "attribute_not_exists(PK)"
RECORD_ENTITY = "txn_record"
#: TransactWriteItems takes at most 4 MB (a margin kept below it for the request's envelope)
MAX_BYTES = 4_000_000
#: cancellation reason codes of an action that did not fail (another one did)
_NO_FAULT = {"None", ""}


@dataclass
class DynamoEventStore:
    """``processor.storage.ports.EventStore`` on the ledger table (``record_capacity``: keep the
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
        if not item or item.get("entity", {}).get("S") == MARKER_ENTITY:
            return None  # an open pending's marker sits on its (free) resolution claim
        return _record_of(deserialize(item))

    def all_records(self) -> Iterator[IdempotencyRecord]:
        """Every idempotency record (a Scan of the ``txn_record`` items; not a hot path)."""
        items = paginate_items(
            self.client,
            "scan",
            "scan the idempotency records",
            TableName=self.table,
            FilterExpression="entity = :e",
            ExpressionAttributeValues={":e": {"S": RECORD_ENTITY}},
            ConsistentRead=True,
        )
        for item in items:
            yield _record_of(deserialize(item))

    def expired_pendings(self, now: datetime) -> Iterator[OpenPending]:
        """The markers of the open pendings expired by ``now``: one Query per shard of the
        sparse expiry index (``processor.storage.pending_index``), never a scan."""
        for shard in range(PENDING_SHARDS):
            items = paginate_items(
                self.client,
                "query",
                "query the open pendings by expiry",
                TableName=self.table,
                IndexName=GSI_PENDING_EXPIRY,
                KeyConditionExpression="pending_index_pk = :pk AND pending_expires <= :now",
                ExpressionAttributeValues={
                    ":pk": {"S": pending_index_pk(shard)},
                    ":now": {"S": expiry_sort_key(now)},
                },
            )
            for item in items:
                yield open_of(deserialize(item))

    # --- writes ---------------------------------------------------------------------------

    def append(
        self,
        events: Sequence[LedgerEvent],
        records: Sequence[IdempotencyRecord],
        opening: OpenAccount | None = None,
    ) -> None:
        """Append events and idempotency records atomically, or raise SeqTaken/TxnIdsTaken."""
        check_append(events, records, opening)
        request = AppendRequest(tuple(events), tuple(records), opening)
        actions = self._actions(request, datetime.now(UTC).isoformat())
        try:
            self._transact(actions)
        except TransactionCancelled as exc:
            failure = _failure_of(exc, request)
            if failure is exc:
                raise  # not a claim that failed: a backend error
            raise failure from exc

    def append_many(self, requests: Sequence[AppendRequest]) -> Results:
        """Several appends per ``TransactWriteItems`` (``processor.storage.append_batch``), split at
        100 actions and ``MAX_BYTES``. A cancelled transaction's reasons say which requests
        lost (they get their own failure, as ``append`` raises it); the rest get
        ``NotWritten``: nothing of them was written, send them again."""
        results, transactions = chunks(requests)
        now = datetime.now(UTC).isoformat()
        actions = {i: self._actions(requests[i], now) for c in transactions for i in c}
        for chunk in _by_size(transactions, actions):
            indexes = [i for i, _ in chunk]
            try:
                self._transact([a for _, acts in chunk for a in acts])
            except TransactionCancelled as exc:
                losers = _losers(exc, [(requests[i], len(acts)) for i, acts in chunk])
                for j, result in enumerate(results_of_cancelled(losers, len(chunk))):
                    results[indexes[j]] = result
        return results

    def _actions(self, request: AppendRequest, now: str) -> list[dict[str, Any]]:
        """The transaction actions of one append: its events, then its records, then its
        opening's two (``processor.storage.accounts``), then its pending markers (the order the
        cancellation reasons are read in)."""
        events, records, opening = request.events, request.records, request.opening
        actions: list[dict[str, Any]] = [
            _returning_old(self._put(event_to_item(e))) for e in events
        ]
        by_txn = events_by_txn(events)
        actions += [
            _claiming(self._put(_record_item(r, now, by_txn.get(r.txn_id, []))), r.txn_id)
            for r in records
        ]
        opened = check_append(events, records, opening) if opening is not None else None
        if opening is not None and opened is not None:
            actions += open_account_actions(self.table, opening, opened.occurred_at.isoformat())
        actions += [self._put(marker_item(m)) for m in markers_of(events, records)]
        return actions

    def _transact(self, actions: list[dict[str, Any]]) -> None:
        units = transact_write(self.client, actions, "append events", capacity=self.record_capacity)
        if self.record_capacity:
            self.consumed_capacity.append(units)

    def cut_history(self, step: Step) -> None:
        """One archival step (``processor.storage.archive_ports.ArchivableStore``): conditional
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


def _failure_of(exc: TransactionCancelled, request: AppendRequest) -> Exception:
    """What a cancelled append lost (its own actions' reasons): an unknown customer, then a
    taken claim, else the cancellation itself (a backend error)."""
    opening, n_events = request.opening, len(request.events)
    if opening is not None and n_events + len(request.records) + CUSTOMER_CHECK in exc.failed():
        return UnknownCustomer(opening.customer_id)
    lost = _lost_claim(exc, n_events, request.records)
    return exc if lost is None else lost


def _losers(
    exc: TransactionCancelled, requests: Sequence[tuple[AppendRequest, int]]
) -> dict[int, BaseException]:
    """The requests of a cancelled transaction whose own actions failed, with their failure
    (``requests``: each with its number of actions, in transaction order). Without reasons
    to tell them apart, every request lost the race."""
    if not exc.reasons:
        return {j: SeqTaken() for j in range(len(requests))}
    losers: dict[int, BaseException] = {}
    start = 0
    for j, (request, n_actions) in enumerate(requests):
        own = TransactionCancelled("append events", exc.reasons[start : start + n_actions])
        start += n_actions
        if any(r.code not in _NO_FAULT for r in own.reasons):
            losers[j] = _failure_of(own, request)
    return losers or {j: exc for j in range(len(requests))}  # no one to blame: all fail


def _by_size(
    transactions: list[list[int]], actions: dict[int, list[dict[str, Any]]]
) -> Iterator[list[tuple[int, list[dict[str, Any]]]]]:
    """Each transaction's requests with their actions, split further at ``MAX_BYTES``."""
    for indexes in transactions:
        chunk: list[tuple[int, list[dict[str, Any]]]] = []
        size = 0
        for i in indexes:
            grown = size + _approx_bytes(actions[i])
            if chunk and grown > MAX_BYTES:
                yield chunk
                chunk, grown = [], _approx_bytes(actions[i])
            chunk.append((i, actions[i]))
            size = grown
        if chunk:
            yield chunk


def _approx_bytes(value: Any) -> int:
    """About the size of the actions' items as DynamoDB counts it toward a transaction's
    4 MB (attribute names and values; numbers and flags counted as 8 bytes)."""
    if isinstance(value, str):
        return len(value) if value.isascii() else len(value.encode())
    if isinstance(value, dict):
        return sum(len(k) + _approx_bytes(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return sum(_approx_bytes(v) for v in value) + len(value)
    if isinstance(value, bytes | bytearray):
        return len(value)
    return 8


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
        return SeqTaken(_winners(exc, n_events))
    return None


def _claiming(action: dict[str, Any], txn_id: str) -> dict[str, Any]:
    """A resolution claim's put may also replace its pending's open marker (and nothing
    else): the claim is the marker's delete, in the same transaction (``pending_index``)."""
    put = action.get("Put", {})
    if is_claim(txn_id) and put.get("ConditionExpression") == NOT_EXISTS:
        put["ConditionExpression"] = f"{NOT_EXISTS} OR entity = :open_marker"
        put["ExpressionAttributeValues"] = {":open_marker": {"S": MARKER_ENTITY}}
    return action


def _returning_old(action: dict[str, Any]) -> dict[str, Any]:
    """An event put that returns the winner's event when its seq is taken (no extra cost)."""
    put = action.get("Put", {})
    if "ConditionExpression" in put:
        put["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return action


def _winners(exc: TransactionCancelled, n_events: int) -> list[LedgerEvent]:
    """The events a cancelled append found on its taken seqs (what another writer wrote)."""
    seen = []
    for reason in exc.reasons[:n_events]:
        if reason.code == "ConditionalCheckFailed" and reason.item:
            try:
                seen.append(item_to_event(dict(reason.item)))
            except (ValueError, KeyError):  # not an event item: nothing to adopt
                continue
    return seen


def _record_of(plain: dict[str, Any]) -> IdempotencyRecord:
    return IdempotencyRecord(
        txn_id=str(plain["txn_id"]),
        fingerprint=str(plain["fingerprint"]),
        outcome=Outcome.model_validate(json.loads(str(plain["outcome"]))),
    )


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
        "entity": RECORD_ENTITY,
        "txn_id": record.txn_id,
        "fingerprint": record.fingerprint,
        "status": outcome.status,
        "account_id": outcome.account_id or "",
        "outcome": json.dumps(outcome.to_json_dict(), sort_keys=True),
        "recorded_at": now,
    }
