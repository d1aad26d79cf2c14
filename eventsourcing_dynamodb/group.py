"""Group commit of ``insert_events`` calls: concurrent writers share one log-head advance.

The same leader/queue scheme as the ledger's hot-account group commit
(``processor.services.group_commit``): the first caller of an idle recorder becomes its leader and
commits the queue group by group; the others wait on their futures. A group takes calls in
arrival order while their items are distinct and the transaction stays within DynamoDB's
100 actions and 4 MB; a call that does not fit waits for the next group.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from eventsourcing_dynamodb import layout
from eventsourcing_dynamodb.actions import Call


@dataclass
class Pending:
    call: Call
    future: Future[list[int]] = field(default_factory=Future)


#: commits one group; must resolve every pending of it
Commit = Callable[[list[Pending]], None]


@dataclass
class GroupCommit:
    commit: Commit
    _queue: list[Pending] = field(default_factory=list)
    _leading: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def submit(self, call: Call) -> list[int]:
        """Queue the call; lead if nobody does; return its notification ids."""
        pending = Pending(call)
        with self._lock:
            self._queue.append(pending)
            lead = not self._leading
            self._leading = True
        if lead:
            self._lead()
        return pending.future.result()

    def _lead(self) -> None:
        while True:
            with self._lock:
                group, self._queue = take_group(self._queue)
                if not group:
                    self._leading = False
                    return
            try:
                self.commit(group)
            except BaseException as exc:
                for pending in group:
                    if not pending.future.done():
                        pending.future.set_exception(exc)


def take_group(queue: list[Pending]) -> tuple[list[Pending], list[Pending]]:
    """Calls in arrival order with distinct items, within the transaction's limits (the
    first call always, so one too large for a transaction fails with a clear error)."""
    group: list[Pending] = []
    rest: list[Pending] = []
    keys: set[tuple[str, str]] = set()
    actions = size = 0
    for pending in queue:
        call = pending.call
        n_actions = actions + len(call.actions)
        n_size = size + call.size
        log_items = 1 + n_size // layout.ITEM_BYTES + 1  # the head and the packed log items
        fits = n_actions + log_items <= layout.MAX_ACTIONS and 2 * n_size <= layout.TXN_BYTES
        if not group or (fits and not keys & call.keys):
            group.append(pending)
            keys |= call.keys
            actions, size = n_actions, n_size
        else:
            rest.append(pending)
    return group, rest
