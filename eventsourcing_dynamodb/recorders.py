"""The eventsourcing library's recorders on DynamoDB (see docs/eventsourcing.md).

Writes go through ``acme_base.aws.transact_write`` (cancellation reasons parsed once) in the
project's optimistic loop with its one backoff policy (``acme_base.retry.Backoff``); reads
are strongly consistent queries of the base table. Errors of the product's tree become the
library's: a failed condition on a call's own items is ``IntegrityError``, anything else
from the backend ``OperationalError``.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    DataError,
    IntegrityError,
    ListenNotifySubscription,
    Notification,
    OperationalError,
    ProcessRecorder,
    StoredEvent,
    Subscription,
    Tracking,
    TrackingRecorder,
)

from acme_base.aws import call, paginate_items, transact_write
from acme_base.errors import AcmeError, ConditionFailed, Throttled, TransactionCancelled
from acme_base.retry import Backoff
from eventsourcing_dynamodb import layout
from eventsourcing_dynamodb.actions import Action, Call, log_actions, tracking_action
from eventsourcing_dynamodb.group import GroupCommit, Pending

#: how often a subscription looks for commits of other processes (own commits wake it)
POLL_INTERVAL = 0.1
#: aggregate heads remembered per application recorder (least recently written dropped)
HEADS_KEPT = 10_000
#: the most log items one notifications query asks for
MAX_PAGE_ITEMS = 100
#: the first page: a commit may hold one event or a thousand; later pages are sized on it
FIRST_PAGE_ITEMS = 8


@contextlib.contextmanager
def translated(what: str) -> Iterator[None]:
    """The product's backend errors as the library's ``OperationalError``."""
    try:
        yield
    except AcmeError as exc:
        raise OperationalError(f"{what}: {exc}") from exc


def check_limits(actions: Sequence[Action], size: int) -> None:
    """A call that cannot be one transaction is refused whole (nothing is written)."""
    if len(actions) > layout.MAX_ACTIONS or size > layout.TXN_BYTES:
        raise DataError(
            f"a call needing {len(actions)} items and about {size} bytes is more than one "
            f"DynamoDB transaction holds ({layout.MAX_ACTIONS} items, 4 MB): split it"
        )


class DynamoDBRecorder:
    """What every recorder holds: the client, the table, its key scope, the backoff."""

    def __init__(self, client: Any, table: str, scope: str, backoff: Backoff | None = None) -> None:
        self.client = client
        self.table = table
        self.scope = scope
        self.backoff = backoff or Backoff()

    def _get_last(self, key: dict[str, Any]) -> int | None:
        """``last`` of a head item, read strongly consistent (None if absent)."""
        with translated("read head"):
            resp = call(
                "read head",
                self.client.get_item,
                TableName=self.table,
                Key=key,
                ConsistentRead=True,
                ProjectionExpression="#l",
                ExpressionAttributeNames={"#l": "last"},
            )
        item = resp.get("Item") or {}
        return int(item["last"]["N"]) if "last" in item else None

    def _transact(self, actions: Sequence[Action], what: str) -> None:
        """One transaction, retried on conflicts and throttling; a failed condition is an
        ``IntegrityError``."""
        for attempt in self.backoff.attempts():
            try:
                with translated(what):
                    try:
                        transact_write(self.client, actions, what)
                    except TransactionCancelled as exc:
                        if exc.failed():
                            raise IntegrityError(f"{what}: position taken") from exc
                        raise
                return
            except OperationalError as exc:
                if not isinstance(exc.__cause__, TransactionCancelled | Throttled):
                    raise
                self.backoff.sleep(attempt)
        raise OperationalError(f"{what}: still contended after {self.backoff.max_attempts} tries")


class DynamoDBAggregateRecorder(DynamoDBRecorder, AggregateRecorder):
    """Stored events of aggregates (also snapshots): per aggregate, a head item and the
    events of each call packed into one item."""

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if stored_events:
            self._check(stored_events)
            prepared = Call.prepare(self.table, self.scope, stored_events, None)
            check_limits(prepared.actions, prepared.size)
            self._transact(prepared.actions, "insert events")
        return None

    @staticmethod
    def _check(stored_events: Sequence[StoredEvent]) -> None:
        if layout.duplicates(stored_events):
            raise IntegrityError("stored events are not unique within the call")

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        results: list[StoredEvent] = []
        for event in self._events(originator_id, gt, lte, desc):
            results.append(event)
            if limit is not None and len(results) >= limit:
                break
        return results

    def _events(
        self, originator_id: UUID | str, gt: int | None, lte: int | None, desc: bool
    ) -> Iterator[StoredEvent]:
        """The aggregate's events within (gt, lte], in order, from as few items as may
        hold them (an item is keyed by the first version it holds)."""
        pk = layout.events_pk(self.scope, originator_id)
        low = None if gt is None or desc else self._item_holding(pk, gt + 1)
        items = self._query(pk, low, lte, forward=not desc)
        for item in items:
            packed = layout.unpack_item(item)
            for event in reversed(packed) if desc else packed:
                v = event.originator_version
                if lte is not None and v > lte:
                    if desc:
                        continue
                    return
                if gt is not None and v <= gt:
                    if desc:
                        return
                    continue
                yield event

    def _item_holding(self, pk: str, version: int) -> int | None:
        """Sort key of the item that would hold ``version`` (the last one keyed <= it)."""
        for item in self._query(pk, None, version, forward=False, limit=1):
            return int(item["SK"]["N"])
        return None

    def _query(
        self, pk: str, low: int | None, high: int | None, *, forward: bool, limit: int = 0
    ) -> Iterator[dict[str, Any]]:
        values: dict[str, Any] = {":pk": {"S": pk}}
        cond = "PK = :pk"
        if low is not None and high is not None:
            cond += " AND SK BETWEEN :low AND :high"
        elif low is not None:
            cond += " AND SK >= :low"
        elif high is not None:
            cond += " AND SK <= :high"
        if low is not None:
            values[":low"] = {"N": str(low)}
        if high is not None:
            values[":high"] = {"N": str(high)}
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": cond,
            "ExpressionAttributeValues": values,
            "ConsistentRead": True,
            "ScanIndexForward": forward,
        }
        if limit:
            kwargs["PaginationConfig"] = {"MaxItems": limit, "PageSize": limit}
        with translated("select events"):
            yield from paginate_items(self.client, "query", "select events", **kwargs)


class DynamoDBApplicationRecorder(DynamoDBAggregateRecorder, ApplicationRecorder):
    """Aggregate events plus the application's notification log: a head item advanced in
    the same transaction as a packed item holding the group's events in log order."""

    def __init__(self, client: Any, table: str, scope: str, backoff: Backoff | None = None) -> None:
        super().__init__(client, table, scope, backoff)
        self._group = GroupCommit(self._commit)
        self._log_last: int | None = None  # the log head as this process last wrote it
        self._listeners: set[threading.Event] = set()
        #: aggregate heads this process wrote (a lower bound of the stored ones: heads only
        #: move up), so a call behind one fails fast instead of costing a transaction
        self._heads: OrderedDict[str, int] = OrderedDict()

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        tracking: Tracking | None = kwargs.get("tracking")
        if not stored_events:
            if tracking is not None:
                self._track(tracking)
            return []
        self._check(stored_events)
        tracked = tracking if isinstance(self, TrackingRecorder) else None
        prepared = Call.prepare(self.table, self.scope, stored_events, tracked)
        ids = self._group.submit(prepared)
        for listener in list(self._listeners):
            listener.set()
        return ids

    def _track(self, tracking: Tracking) -> None:
        """An application recorder records no tracking (a process recorder does)."""

    def _commit(self, group: list[Pending]) -> None:
        """Commit the group's calls and advance the log once, optimistically: a moved
        log head is re-read, a call whose own condition failed gets ``IntegrityError`` and
        the others are retried without it."""
        live = self._not_behind(group)
        for attempt in self.backoff.attempts():
            if not live:
                return
            last = self._log_last if self._log_last is not None else self._read_log_last()
            events = [e for p in live for e in p.call.events]
            actions = log_actions(self.table, self.scope, last, events)
            owners: list[Pending | None] = [None] * len(actions)
            for pending in live:
                actions.extend(pending.call.actions)
                owners.extend([pending] * len(pending.call.actions))
            size = 2 * sum(p.call.size for p in live)
            if len(live) > 1 and (len(actions) > layout.MAX_ACTIONS or size > layout.TXN_BYTES):
                half = len(live) // 2  # the group's estimate was short: commit it in two
                self._commit(live[:half])
                self._commit(live[half:])
                return
            check_limits(actions, size)
            try:
                with translated("insert events"):
                    transact_write(self.client, actions, "insert events")
            except OperationalError as exc:
                live = self._after_failure(exc, owners, live, attempt)
                continue
            self._log_last = last + len(events)
            self._remember(live)
            nid = last + 1
            for pending in live:
                n = len(pending.call.events)
                pending.future.set_result(list(range(nid, nid + n)))
                nid += n
            return
        raise OperationalError(f"log still contended after {self.backoff.max_attempts} tries")

    def _not_behind(self, group: list[Pending]) -> list[Pending]:
        live = []
        for pending in group:
            if pending.call.behind(self._heads):
                pending.future.set_exception(IntegrityError("position taken (known head)"))
            else:
                live.append(pending)
        return live

    def _remember(self, committed: list[Pending]) -> None:
        for pending in committed:
            for oid, (_, last) in pending.call.spans.items():
                self._heads[oid] = last
                self._heads.move_to_end(oid)
        while len(self._heads) > HEADS_KEPT:
            self._heads.popitem(last=False)

    def _after_failure(
        self,
        exc: OperationalError,
        owners: list[Pending | None],
        live: list[Pending],
        attempt: int,
    ) -> list[Pending]:
        cause = exc.__cause__
        self._log_last = None
        if isinstance(cause, TransactionCancelled):
            failed = cause.failed()
            losers = {id(owners[i]) for i in failed if owners[i] is not None}
            for pending in live:
                if id(pending) in losers:
                    pending.future.set_exception(IntegrityError(f"position taken: {cause}"))
            if losers:
                return [p for p in live if id(p) not in losers]
        elif not isinstance(cause, Throttled):
            raise exc
        self.backoff.sleep(attempt)
        return live

    def _read_log_last(self) -> int:
        return self._get_last(layout.log_head_key(self.scope)) or 0

    def max_notification_id(self) -> int | None:
        return self._get_last(layout.log_head_key(self.scope)) or None

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        first = 1 if start is None else (start if inclusive_of_start else start + 1)
        first = max(first, 1)
        results: list[Notification] = []
        if limit <= 0 or (stop is not None and stop < first):
            return results
        for item in self._log_items(first, limit):
            nid = int(item["f"]["N"])
            for event in layout.unpack_item(item):
                if stop is not None and nid > stop:
                    return results
                if nid >= first and (not topics or event.topic in topics):
                    results.append(_notification(nid, event))
                    if len(results) >= limit:
                        return results
                nid += 1
        return results

    def _log_items(self, first: int, limit: int) -> Iterator[dict[str, Any]]:
        """Log items from the one holding ``first`` on, read in pages sized to what is
        wanted (a packed item may hold many events: no 1 MB pages for a page of 10)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK >= :first",
            "ExpressionAttributeValues": {
                ":pk": {"S": layout.log_pk(self.scope)},
                ":first": {"N": str(first)},
            },
            "ConsistentRead": True,
        }
        page, items, events = min(limit, FIRST_PAGE_ITEMS), 0, 0
        while True:
            with translated("select notifications"):
                resp = call("select notifications", self.client.query, Limit=page, **kwargs)
            for item in resp.get("Items", []):
                items += 1
                events += len(item["e"]["L"])
                yield item
            if "LastEvaluatedKey" not in resp:
                return
            kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
            per_item = max(1, events // max(items, 1))
            page = max(1, min(MAX_PAGE_ITEMS, limit // per_item + 1))

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        return DynamoDBSubscription(self, gt=gt, topics=topics)

    def listen(self, event: threading.Event) -> None:
        self._listeners.add(event)

    def unlisten(self, event: threading.Event) -> None:
        self._listeners.discard(event)


def _notification(nid: int, event: StoredEvent) -> Notification:
    return Notification(
        id=nid,
        originator_id=event.originator_id,
        originator_version=event.originator_version,
        topic=event.topic,
        state=event.state,
    )


class DynamoDBSubscription(ListenNotifySubscription[DynamoDBApplicationRecorder]):
    """Woken by this process's commits, and polls for other processes' commits."""

    def __init__(
        self, recorder: DynamoDBApplicationRecorder, gt: int | None, topics: Sequence[str]
    ) -> None:
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        self._recorder.listen(self._has_been_notified)

    def stop(self) -> None:
        super().stop()
        self._recorder.unlisten(self._has_been_notified)

    def _loop_on_pull(self) -> None:
        """The library's loop, with a bounded wait so commits of other processes are seen."""
        try:
            self._pull()
            while not self._has_been_stopped:
                self._has_been_notified.wait(timeout=POLL_INTERVAL)
                self._pull()
        except BaseException as e:
            if self._thread_error is None:
                self._thread_error = e
            self.stop()


class DynamoDBTrackingRecorder(DynamoDBRecorder, TrackingRecorder):
    """Tracking per upstream application: one item whose ``last`` only moves up."""

    def insert_tracking(self, tracking: Tracking) -> None:
        action = tracking_action(self.table, self.scope, tracking)["Update"]
        with translated("insert tracking"):
            try:
                call("insert tracking", self.client.update_item, **action)
            except ConditionFailed as exc:
                raise IntegrityError(
                    f"tracking {tracking.notification_id} of {tracking.application_name!r} "
                    "is not above the recorded one"
                ) from exc

    def insert_tracking_with(self, tracking: Tracking, actions: Sequence[Action]) -> None:
        """A view's writes (TransactWriteItems actions) atomic with its tracking: all or
        nothing; ``IntegrityError`` if the position was recorded already."""
        self._transact([tracking_action(self.table, self.scope, tracking), *actions], "track")

    def max_tracking_id(self, application_name: str) -> int | None:
        return self._get_last(layout.tracking_key(self.scope, application_name))


class DynamoDBProcessRecorder(
    DynamoDBTrackingRecorder, DynamoDBApplicationRecorder, ProcessRecorder
):
    """The process's new events, its log and its tracking in one transaction."""

    def _track(self, tracking: Tracking) -> None:
        self.insert_tracking(tracking)
