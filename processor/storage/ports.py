"""The event store port: what the ledger and the projections need from storage, and no more.

Two implementations honour it, held to the same behaviour by one contract suite
(``tests/contract/test_event_store_contract.py``): ``processor.storage.store.DynamoEventStore`` and
the in-memory twin ``processor.storage.memory.MemoryEventStore``.

The write is one atomic, conditional ``append``: every event claims its ``(account, seq)`` and
every idempotency record its txn id, or nothing at all is written. A claim that fails raises
``TxnIdsTaken`` (naming exactly the taken ids; these win) or ``SeqTaken``. Nothing
DynamoDB-shaped crosses the port: the account record written with an ``AccountOpened`` event
travels as the ``OpenAccount`` command (``opening=``), and each adapter stores it its own way,
checking in the same atomic step that the customer is registered (else ``UnknownCustomer``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from processor.domain.account_state import AccountState
from processor.domain.commands import OpenAccount
from processor.domain.events import AccountClosed, AccountOpened, HistoryArchived, LedgerEvent
from processor.domain.evolve import snapshot_state
from processor.domain.limit_model import DEFAULT_LIMITS
from processor.domain.outcomes import IdempotencyRecord
from processor.storage.pending_index import OpenPending, markers_of

__all__ = [
    "MAX_ITEMS",
    "EventReader",
    "EventStore",
    "IdempotencyRecord",  # defined beside the outcome it records; imported from here too
    "SeqTaken",
    "TxnIdsTaken",
    "check_append",
    "state_of_head",
]

#: TransactWriteItems takes at most 100 actions.
MAX_ITEMS = 100


@dataclass
class SeqTaken(Exception):
    """Another writer appended first (or a concurrent transaction interfered): re-read, retry.

    ``seen``: the winners' events found on the taken ``(account, seq)`` keys, when the store
    can return them with the failure (DynamoDB: ``ReturnValuesOnConditionCheckFailure``), so
    the loser can adopt the newest as its head instead of re-reading (``LedgerConfig``'s
    ``adopt_heads``).
    """

    seen: list[LedgerEvent] = field(default_factory=list)


@dataclass
class TxnIdsTaken(Exception):
    """These txn ids already have idempotency records (the rest may retry)."""

    txn_ids: list[str] = field(default_factory=list)


class EventReader(Protocol):
    """The read side's view of the log (what projections, rebuild and reconcile need)."""

    def events(
        self, account_id: str, from_seq: int = 0, to_seq: int | None = None
    ) -> Iterator[LedgerEvent]:
        """Events of one account in seq order, ``from_seq..to_seq`` inclusive."""
        ...

    def all_events(self) -> Iterator[LedgerEvent]:
        """Every event of every account (any order across accounts)."""
        ...


class EventStore(EventReader, Protocol):
    """The ledger's storage: strongly consistent reads and one atomic conditional append."""

    def head(self, account_id: str) -> LedgerEvent | None:
        """The latest event of an account (None: never opened)."""
        ...

    def state(self, account_id: str) -> AccountState | None:
        """The account's state from its head event (see ``state_of_head``)."""
        ...

    def replay(self, account_id: str) -> AccountState | None:
        """Fold the whole stream, checking every invariant on the way."""
        ...

    def idempotency_record(self, txn_id: str) -> IdempotencyRecord | None: ...

    def all_records(self) -> Iterator[IdempotencyRecord]:
        """Every idempotency record (resolution claims included, open-pending markers not),
        in any order: a full read for audits and the property suite, never a hot path."""
        ...

    def expired_pendings(self, now: datetime) -> Iterator[OpenPending]:
        """The open pendings (their markers, ``processor.storage.pending_index``) that expired by
        ``now``, from the expiry index: no scan. Possibly stale by a moment (an index), so
        the sweeper re-checks each on its accounts' heads."""
        ...

    def append(
        self,
        events: Sequence[LedgerEvent],
        records: Sequence[IdempotencyRecord],
        opening: OpenAccount | None = None,
    ) -> None:
        """Write all of it or nothing; raise ``TxnIdsTaken`` or ``SeqTaken`` on a taken key.

        ``opening``: the command whose ``AccountOpened`` event is in ``events``; the store
        also writes its account record, on condition that its customer is registered (else
        ``acme_base.errors.UnknownCustomer``, which wins over a taken seq, and nothing is
        written). A malformed append (see ``check_append``) is a ``ValueError``, and nothing
        is written.
        """
        ...


def state_of_head(account_id: str, head: LedgerEvent | None) -> AccountState | None:
    """The state a head event implies: it carries the running balance, the seq and the
    block flag.

    Only an ``AccountOpened`` head or an archival snapshot (which carries the whole state:
    closed, customer...) knows the customer; other heads leave it empty (the decisions never
    need it).
    """
    if head is None:
        return None
    if isinstance(head, HistoryArchived):  # an archival snapshot carries the whole state
        return snapshot_state(head)
    limits = head.limits or DEFAULT_LIMITS  # limits, like the block flag, ride on every event
    if isinstance(head, AccountOpened):
        return AccountState(
            account_id, head.customer_id, head.currency, 0, 0, limits=limits,
            opened_at=head.occurred_at,
        )  # fmt: skip
    return AccountState(
        account_id,
        "",
        head.currency,
        head.balance_after,
        head.seq,
        head.blocked,
        limits=limits,
        closed=isinstance(head, AccountClosed),
        pendings=tuple(head.pendings or ()),  # open pendings ride on every event too
    )


def check_append(
    events: Sequence[LedgerEvent],
    records: Sequence[IdempotencyRecord],
    opening: OpenAccount | None = None,
) -> AccountOpened | None:
    """Refuse (``ValueError``) an append no caller should make, before anything is sent.

    Empty, over ``MAX_ITEMS`` items, one ``(account, seq)`` or txn id twice, an opening
    without its ``AccountOpened`` event: AWS refuses some as invalid while DynamoDB Local
    cancels them as failed conditions, so both adapters check here and agree. Returns the
    opening's event (its ``occurred_at`` dates the account record).
    """
    markers = len(markers_of(events, records))  # one per pending placed (pending_index)
    items = len(events) + len(records) + markers + (2 if opening is not None else 0)
    if not 1 <= items <= MAX_ITEMS:
        raise ValueError(f"an append holds 1..{MAX_ITEMS} items, not {items}")
    keys = {(e.account_id, e.seq) for e in events}
    if len(keys) < len(events) or len({r.txn_id for r in records}) < len(records):
        raise ValueError("an append names one (account, seq) or one txn id twice")
    if opening is None:
        return None
    for event in events:
        if isinstance(event, AccountOpened) and event.account_id == opening.account_id:
            return event
    raise ValueError(f"opening {opening.account_id} without its AccountOpened event")
