"""Group commit: credits and debits of one account that arrive together share one append.

Callers queue their command per account and wait on a future. The first caller of an idle
account becomes its leader: it drains the queue group by group (up to ``size`` commands with
distinct txn ids) through ``commit`` and steps down when the queue is empty. So a hot account
does not make its writers fight over one sequence number; across processes the conditional
appends keep it correct. A caller of an idle account (nothing queued, nobody leading: the
single-threaded case) commits its command at once, as a group of one, without queueing it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from acme_base.errors import InvalidInput
from acme_base.handoff import Handoff
from processor.domain.commands import GroupCommand
from processor.domain.outcomes import Outcome, rejected


@dataclass(slots=True)
class Pending:
    """A queued command and the future its caller waits on."""

    command: GroupCommand
    future: Handoff[Outcome] = field(default_factory=Handoff)

    def fail(self, exc: BaseException) -> None:
        """Bad input is a ``rejected`` outcome; anything else the caller's exception."""
        if isinstance(exc, InvalidInput):
            cmd = self.command
            self.future.set_result(rejected(str(exc), txn_id=cmd.txn_id, account_id=cmd.account_id))
        else:
            self.future.set_exception(exc)

    def settle(self, compute: Callable[[], Outcome]) -> None:
        """Resolve with ``compute()``, or fail with what it raised."""
        try:
            self.future.set_result(compute())
        except BaseException as exc:
            self.fail(exc)


#: commits one group of one account; must resolve every pending it succeeds for
Commit = Callable[[str, list[Pending]], None]


@dataclass
class GroupCommit:
    """Per-account queues with one leader thread each (see the module docstring)."""

    commit: Commit
    size: int = 25
    _queues: dict[str, list[Pending]] = field(default_factory=dict)
    _leaders: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def submit(self, cmd: GroupCommand) -> Outcome:
        """Queue the command; lead the account's commits if nobody does; wait for the outcome."""
        pending = Pending(cmd)
        account_id = cmd.account_id
        with self._lock:
            lone = account_id not in self._leaders  # then nothing of it is queued either
            if lone:
                self._leaders.add(account_id)
            else:
                self._queues.setdefault(account_id, []).append(pending)
        if lone:  # our command is the group: commit it at once, then drain what came meanwhile
            self._commit_group([pending], account_id)
            self._lead(account_id)
        return pending.future.result()

    def queued(self, account_id: str) -> int:
        """Commands of the account waiting for a group (not counting one being committed)."""
        with self._lock:
            return len(self._queues.get(account_id, []))

    def leading(self, account_id: str) -> bool:
        """Whether a thread is committing the account's queue now."""
        with self._lock:
            return account_id in self._leaders

    def _lead(self, account_id: str) -> None:
        """Drain the account's queue group by group until it is empty, then step down."""
        while True:
            with self._lock:
                group, rest = take_group(self._queues.get(account_id, []), self.size)
                self._queues[account_id] = rest
                if not group:
                    self._leaders.discard(account_id)
                    self._queues.pop(account_id, None)
                    return
            self._commit_group(group, account_id)

    def _commit_group(self, group: list[Pending], account_id: str) -> None:
        """Commit one group; whatever it raises fails every pending it left unresolved."""
        try:
            self.commit(account_id, group)
        except BaseException as exc:
            for pending in group:
                if not pending.future.done():
                    pending.fail(exc)


def take_group(queue: list[Pending], size: int) -> tuple[list[Pending], list[Pending]]:
    """Up to ``size`` commands with distinct txn ids (a repeated id waits for the next group)."""
    if len(queue) == 1 and size > 0:  # a lone command (the single-threaded case) goes alone
        return list(queue), []
    group: list[Pending] = []
    rest: list[Pending] = []
    seen: set[str] = set()
    for pending in queue:
        if len(group) < size and pending.command.txn_id not in seen:
            seen.add(pending.command.txn_id)
            group.append(pending)
        else:
            rest.append(pending)
    return group, rest
