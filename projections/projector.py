"""The projector: applies delivered events to the read models, exactly once in effect.

For each account of a batch, one ``TransactWriteItems`` per contiguous run (chunked at 100
items) holds: the balance item's guarded update (``applied_seq = n-1``, or the item absent for
a new account) + the coalesced daily-total ADDs + the declined-index puts. The daily totals
and the declined index therefore move exactly when, and only when, the balance guard moves:
a redelivered event is at or below the guard and is skipped; a gap is healed from the event
table before anything later is applied. ``project`` raises only when the backend fails (the
whole batch must be retried); events it could not apply are returned in ``failed``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from acme_base.aws import deserialize, error_code, serialize, translate
from acme_base.errors import ContentionExhausted
from acme_base.keys import balance_key, daily_key
from acme_base.settings import Settings
from processor.events import LedgerEvent
from processor.store import EventStore
from projections.model import DAILY_FIELDS
from projections.plan import (
    MAX_TRANSACTION_ITEMS,
    AccountBatch,
    Chunk,
    GapNotHealable,
    chunk_run,
    plan_run,
    split_batch,
)
from projections.views import (
    BALANCE,
    DAILY,
    ViewStore,
    declined_item,
    now_iso,
)

_DAILY_ADD = ", ".join(f"#{f} :{f}" for f in DAILY_FIELDS)
_DAILY_NAMES = {f"#{f}": f for f in (*DAILY_FIELDS, "entity", "report_date", "shard")}
_BALANCE_SET = (
    "SET #balance = :b, #applied_seq = :s, #currency = :c, #account_id = :a, "
    "#entity = :e, #updated_at = :t"
)
_BALANCE_NAMES = {
    f"#{f}": f for f in ("balance", "applied_seq", "currency", "account_id", "entity", "updated_at")
}


@dataclass
class ProjectionResult:
    failed: frozenset[tuple[str, int]] = frozenset()
    events_applied: int = 0
    duplicates_skipped: int = 0
    gaps_healed: int = 0
    items_written: int = 0
    transactions: int = 0
    write_units: float = 0.0
    guard_retries: int = 0

    def merge(self, other: ProjectionResult) -> ProjectionResult:
        return ProjectionResult(
            self.failed | other.failed,
            *(getattr(self, f) + getattr(other, f) for f in _COUNTERS),
        )

    def as_dict(self) -> dict[str, Any]:
        return {"failed": sorted(self.failed), **{f: getattr(self, f) for f in _COUNTERS}}


_COUNTERS = (
    "events_applied",
    "duplicates_skipped",
    "gaps_healed",
    "items_written",
    "transactions",
    "write_units",
    "guard_retries",
)


class _GuardMoved(Exception):
    def __init__(self, applied_seq: int | None) -> None:
        super().__init__(applied_seq)
        self.applied_seq = applied_seq


class _Conflict(Exception):
    pass


@dataclass
class _Progress:
    applied: set[int] = field(default_factory=set)
    items: int = 0
    transactions: int = 0
    units: float = 0.0
    retries: int = 0


class Projector:
    """Project batches of ledger events into the views table (see the module docstring)."""

    def __init__(
        self,
        client: Any,
        settings: Settings,
        store: EventStore | None = None,
        *,
        coalesce: bool = True,
        max_items: int = MAX_TRANSACTION_ITEMS,
        max_attempts: int = 12,
        workers: int = 1,
    ) -> None:
        self.client = client
        self.table = settings.views_table
        self.views = ViewStore(client, settings.views_table)
        self.store = store or EventStore(client, settings.ledger_table)
        self.coalesce = coalesce
        self.max_items = max_items
        self.max_attempts = max_attempts
        self.workers = workers  # accounts of one batch projected in parallel (own items each)
        self._guess: dict[str, int] = {}  # last applied_seq we wrote or read, per account

    def project(self, events: Sequence[LedgerEvent]) -> ProjectionResult:
        """Apply a delivered batch; raise only if the backend failed (retry the batch)."""
        batches = split_batch(events)
        if self.workers > 1 and len(batches) > 1:
            with ThreadPoolExecutor(max_workers=min(self.workers, len(batches))) as pool:
                parts = list(pool.map(self._project_one, batches))
        else:
            parts = [self._project_one(batch) for batch in batches]
        result = ProjectionResult()
        for part in parts:
            result = result.merge(part)
        return result

    def _project_one(self, batch: AccountBatch) -> ProjectionResult:
        progress = _Progress()
        lost: set[int] = set()
        try:
            self._project_account(batch, progress)
        except (GapNotHealable, ContentionExhausted):
            lost = {e.seq for e in batch.events if e.seq not in progress.applied}
            self._guess.pop(batch.account_id, None)
        delivered = {e.seq for e in batch.events}
        return ProjectionResult(
            failed=frozenset((batch.account_id, seq) for seq in lost),
            events_applied=len(progress.applied),
            duplicates_skipped=batch.repeats + len(delivered - progress.applied - lost),
            gaps_healed=len(progress.applied - delivered),
            items_written=progress.items,
            transactions=progress.transactions,
            write_units=progress.units,
            guard_retries=progress.retries,
        )

    # --- one account ----------------------------------------------------------------------

    def _project_account(self, batch: AccountBatch, progress: _Progress) -> None:
        account = batch.account_id
        verified = False
        for attempt in range(self.max_attempts):
            applied = self._guess.get(account)
            if applied is None:  # assume in-order delivery; the guard checks the assumption
                applied = batch.events[0].seq - 1
            run = plan_run(applied, batch.events, self._fetcher(account))
            if run.skipped and not verified:  # never skip on a guess: confirm by reading
                self._read_guard(account)
                verified = True
                continue
            try:
                for chunk in chunk_run(account, run, self.coalesce, self.max_items):
                    self._write(chunk, progress)
                return
            except _GuardMoved as moved:
                progress.retries += 1
                if moved.applied_seq is None:
                    self._read_guard(account)
                else:
                    self._guess[account] = moved.applied_seq
                verified = True
            except _Conflict:
                progress.retries += 1
                time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))
        raise ContentionExhausted(f"projection of {account}: guard kept moving")

    def _read_guard(self, account: str) -> None:
        view = self.views.balance(account)
        self._guess[account] = view.applied_seq if view else -1

    def _fetcher(self, account: str) -> Any:
        def fetch(lo: int, hi: int) -> list[LedgerEvent]:
            return list(self.store.events(account, lo, hi))

        return fetch

    # --- the transaction ------------------------------------------------------------------

    def _write(self, chunk: Chunk, progress: _Progress) -> None:
        try:
            resp = self.client.transact_write_items(
                TransactItems=self._actions(chunk), ReturnConsumedCapacity="TOTAL"
            )
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                self._cancelled(exc)
            raise translate(exc, f"project {chunk.account_id}") from exc
        except BotoCoreError as exc:
            raise translate(exc, f"project {chunk.account_id}") from exc
        progress.applied |= {e.seq for e in chunk.events}
        progress.items += chunk.items
        progress.transactions += 1
        progress.units += sum(
            float(c.get("CapacityUnits", 0)) for c in resp.get("ConsumedCapacity", [])
        )
        self._guess[chunk.account_id] = chunk.last_seq

    def _cancelled(self, exc: ClientError) -> None:
        reasons = exc.response.get("CancellationReasons") or []
        codes = [r.get("Code", "None") for r in reasons]
        if codes and codes[0] == "ConditionalCheckFailed":
            old = reasons[0].get("Item")
            seq = deserialize(old).get("applied_seq") if old else None
            raise _GuardMoved(int(seq) if seq is not None else None) from exc
        if not codes or "TransactionConflict" in codes:
            raise _Conflict() from exc

    def _actions(self, chunk: Chunk) -> list[dict[str, Any]]:
        values = {
            ":b": chunk.balance,
            ":s": chunk.last_seq,
            ":c": chunk.currency,
            ":a": chunk.account_id,
            ":e": BALANCE,
            ":t": now_iso(),
        }
        if chunk.after_seq < 0:
            condition = "attribute_not_exists(PK)"
        else:
            condition = "#applied_seq = :prev"
            values[":prev"] = chunk.after_seq
        actions: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": serialize(balance_key(chunk.account_id)),
                    "UpdateExpression": _BALANCE_SET,
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": _BALANCE_NAMES,
                    "ExpressionAttributeValues": serialize(values),
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            }
        ]
        for (date, shard), totals in sorted(chunk.daily.items()):
            adds = {f":{f}": v for f, v in totals.as_dict().items()}
            actions.append(
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": serialize(daily_key(date, shard)),
                        "UpdateExpression": f"SET #entity = :e, #report_date = :d, #shard = :h "
                        f"ADD {_DAILY_ADD}",
                        "ExpressionAttributeNames": _DAILY_NAMES,
                        "ExpressionAttributeValues": serialize(
                            {":e": DAILY, ":d": date, ":h": shard, **adds}
                        ),
                    }
                }
            )
        actions += [
            {"Put": {"TableName": self.table, "Item": serialize(declined_item(entry))}}
            for entry in chunk.declined
        ]
        return actions
