"""The view store port: what the projector, rebuild, reconcile and the reports need from the
read models' storage, and the one conditional write the projector's exactly-once rests on.

Two implementations honour it, held to the same behaviour by one contract suite
(``tests/contract/test_view_store_contract.py``): ``projections.views.DynamoViewStore`` and
the in-memory twin ``projections.memory.MemoryViewStore``. As in powertools' idempotency
persistence (``base.py`` / ``dynamodb.py``), the rules live here and in the projector; an
adapter only reads, writes, and turns a failed condition into ``GuardMoved`` or
``GuardConflict``.

The guarded write, ``apply(chunk)``, is all or nothing: the balance item moves from
``chunk.after_seq`` to ``chunk.last_seq`` (the guard: the item is absent when ``after_seq`` is
negative, else its ``applied_seq`` equals ``after_seq``), the chunk's daily deltas are added to
their (date, currency, shard) totals and its declined entries are put, in one transaction. So
the daily totals and the declined index move exactly when the balance guard moves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from acme_base.errors import AcmeError
from processor.domain.currency import DEFAULT_CURRENCY
from projections.model import BalanceView, DailyTotals, DeclinedEntry, Snapshot, pending_sums
from projections.plan import Chunk

#: What a transactional write of one item (up to 1 KB) costs in write capacity units.
TRANSACT_UNITS_PER_ITEM = 2.0


class GuardMoved(AcmeError):
    """The balance guard is not where the chunk expected it; nothing was written.

    ``applied_seq``: the stored guard (None: no balance item). The projector re-plans from it
    (a redelivery is then skipped, a gap healed).
    """

    def __init__(self, applied_seq: int | None) -> None:
        super().__init__(f"balance guard at {applied_seq}")
        self.applied_seq = applied_seq


class GuardConflict(AcmeError):
    """Another transaction touched the same items at the same time; nothing was written.

    Worth a retry after a backoff (the projector's ``Backoff``).
    """


def guard_holds(chunk: Chunk, stored: BalanceView | None) -> bool:
    """The balance guard: a new account has no item yet; else the item is at ``after_seq``."""
    if chunk.after_seq < 0:
        return stored is None
    return stored is not None and stored.applied_seq == chunk.after_seq


def balance_after(chunk: Chunk) -> BalanceView:
    """The balance item a chunk leaves behind: its last event's running balance and seq."""
    return BalanceView(
        chunk.account_id,
        chunk.balance,
        chunk.last_seq,
        chunk.currency,
        *pending_sums(chunk.events[-1]),
    )


class ViewStore(Protocol):
    """The read models' storage (see the module docstring). Reads are strongly consistent."""

    # --- reads ----------------------------------------------------------------------------

    def balance(self, account_id: str) -> BalanceView | None:
        """The account's balance item (None: nothing applied yet)."""
        ...

    def snapshot(self) -> Snapshot:
        """All three read models as stored (daily shards summed per date)."""
        ...

    def daily(
        self, dates: Sequence[str], currency: str = DEFAULT_CURRENCY
    ) -> dict[str, DailyTotals]:
        """Totals of each date in one currency, every shard summed; a date without items is
        zero. One batched read of the known keys."""
        ...

    def daily_by_currency(self, dates: Sequence[str]) -> dict[str, dict[str, DailyTotals]]:
        """Every currency's totals of each date (``{date: {currency: totals}}``), shards
        summed; a currency without items that day is absent. One Query per date and shard."""
        ...

    def declined(self, reason: str, date_from: str, date_to: str) -> Iterator[DeclinedEntry]:
        """Declined entries of one reason with ``date_from <= txn_date <= date_to`` (the
        sparse index: one query per reason), in ``txn_date`` order."""
        ...

    def scan(self, entity: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item (of one read model: ``projections.items.ENTITIES``) as a plain dict."""
        ...

    # --- bulk writes (rebuild) ------------------------------------------------------------

    def put_all(self, items: Iterable[dict[str, Any]]) -> int:
        """Put every item (replacing any with its key); returns how many."""
        ...

    def delete_all(self, keys: Iterable[dict[str, str]]) -> int:
        """Delete every ``{"PK", "SK"}`` key (absent ones are no error); returns how many."""
        ...

    # --- the projector's guarded write ----------------------------------------------------

    def apply(self, chunk: Chunk) -> float:
        """Apply one chunk atomically, guarded; returns the write units consumed.

        Raises ``GuardMoved`` or ``GuardConflict`` (nothing written), or a ``BackendError``.
        """
        ...
