"""The DynamoDB side of archival: the archive table adapter, and the cut step on the ledger.

Archive writes are conditional puts (``attribute_not_exists(PK)``) of immutable events, in
transactions of up to 100; what is already archived is read first and compared, so a rerun
writes only what is missing and never overwrites. A cut step is one ``TransactWriteItems``
on the ledger table: each delete and the snapshot's put are conditional on the live item
being exactly the event the archiver read (type, txn id, balance), so a step never removes
an event it did not archive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from acme_base.aws import deserialize, paginate_items, serialize, transact_write
from acme_base.errors import TransactionCancelled
from acme_base.keys import account_pk, seq_sk
from processor.domain.archive import MAX_STEP_ACTIONS, Step
from processor.domain.events import LedgerEvent
from processor.storage.archive_ports import ArchiveConflict
from processor.storage.codec import event_to_item, item_to_event
from processor.storage.event_reads import read_event_range

NOT_EXISTS = "attribute_not_exists(PK)"
SAME_EVENT = "#et = :et AND #tx = :tx AND #b = :b"


def _same_event(event: LedgerEvent) -> dict[str, Any]:
    """The condition that the item at the event's key is that very event."""
    return {
        "ConditionExpression": SAME_EVENT,
        "ExpressionAttributeNames": {"#et": "event_type", "#tx": "txn_id", "#b": "balance_after"},
        "ExpressionAttributeValues": serialize(
            {":et": event.event_type, ":tx": event.txn_id, ":b": event.balance_after}
        ),
    }


def cut_actions(table: str, step: Step) -> list[dict[str, Any]]:
    """The step's actions: conditional deletes, then the conditional replacing put."""
    deletes = [
        {
            "Delete": {
                "TableName": table,
                "Key": serialize({"PK": account_pk(e.account_id), "SK": seq_sk(e.seq)}),
                **_same_event(e),
            }
        }
        for e in step.deleted
    ]
    put = {
        "Put": {
            "TableName": table,
            "Item": serialize(event_to_item(step.snapshot)),
            **_same_event(step.replaced),
        }
    }
    return [*deletes, put]


def cut_history(client: Any, table: str, step: Step) -> None:
    """Apply one cut step on the ledger table (``ArchivableStore.cut_history``)."""
    actions = cut_actions(table, step)
    if len(actions) > MAX_STEP_ACTIONS:
        raise ValueError(f"a cut step holds at most {MAX_STEP_ACTIONS} actions")
    try:
        transact_write(client, actions, f"archive a cut of {step.snapshot.account_id}")
    except TransactionCancelled as exc:
        if exc.failed() or exc.conflict:
            raise ArchiveConflict(
                f"{step.snapshot.account_id}: the live events changed under the archiver "
                "(another archive run?); nothing was removed: rerun"
            ) from exc
        raise


@dataclass
class DynamoArchiveStore:
    """``processor.storage.archive_ports.ArchiveStore`` on the archive table."""

    client: Any
    table: str
    chunk: int = MAX_STEP_ACTIONS  # puts per transaction (tests use fewer)

    def events(
        self, account_id: str, from_seq: int = 0, to_seq: int | None = None
    ) -> Iterator[LedgerEvent]:
        return read_event_range(self.client, self.table, account_id, from_seq, to_seq)

    def all_events(self) -> Iterator[LedgerEvent]:
        items = paginate_items(
            self.client, "scan", "scan the archive", TableName=self.table, ConsistentRead=True
        )
        for item in items:
            yield item_to_event(deserialize(item))

    def put(self, events: Sequence[LedgerEvent]) -> int:
        per_account: dict[str, list[LedgerEvent]] = defaultdict(list)
        for event in events:
            per_account[event.account_id].append(event)
        written = 0
        for account, mine in per_account.items():
            missing = self._missing(account, mine)
            for start in range(0, len(missing), self.chunk):
                self._put_chunk(account, missing[start : start + self.chunk])
            written += len(missing)
        return written

    def _missing(self, account: str, events: list[LedgerEvent]) -> list[LedgerEvent]:
        """The events not archived yet; an archived one that differs is a conflict."""
        seqs = [e.seq for e in events]
        have = {e.seq: e for e in self.events(account, min(seqs), max(seqs))}
        for event in events:
            old = have.get(event.seq)
            if old is not None and old != event:
                raise ArchiveConflict(
                    f"{account} seq {event.seq}: the archive holds another event "
                    f"({old.event_type} {old.txn_id}) than the ledger ({event.txn_id})"
                )
        return [e for e in events if e.seq not in have]

    def _put_chunk(self, account: str, chunk: list[LedgerEvent]) -> None:
        actions = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": serialize(event_to_item(e)),
                    "ConditionExpression": NOT_EXISTS,
                }
            }
            for e in chunk
        ]
        try:
            transact_write(self.client, actions, f"archive events of {account}")
        except TransactionCancelled as exc:
            if exc.failed() or exc.conflict:
                raise ArchiveConflict(
                    f"{account}: another archiver wrote these events at the same time: rerun"
                ) from exc
            raise
