"""The ledger service: validate, read, decide, append; retry on contention; group commit.

Commands on one account that arrive together are committed in groups (one leader thread per
account drains the queue and writes up to ``group_size`` commands in one transaction), so a
hot account does not make its writers fight over one sequence number. Across processes the
conditional writes keep it correct; losers re-read and retry with jittered backoff.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from acme_base.errors import (
    AccountAlreadyExists,
    AcmeError,
    ContentionExhausted,
    InvalidInput,
    TxnIdConflict,
)
from processor.accounts import open_account_actions
from processor.commands import (
    AnyCommand,
    Credit,
    Debit,
    OpenAccount,
    Transfer,
    parse_command,
    txn_id_of,
)
from processor.decide import AccountState, apply_all, decide
from processor.events import AccountOpened, LedgerEvent
from processor.outcomes import Outcome, as_duplicate, failed, outcome_of, rejected
from processor.store import EventStore, IdempotencyRecord, SeqTaken, TxnIdsTaken

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class RetryPolicy:
    max_attempts: int = 40
    base_delay: float = 0.004
    max_delay: float = 0.25

    def sleep(self, attempt: int) -> None:
        """Full-jitter exponential backoff."""
        time.sleep(random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt)))


@dataclass
class _Pending:
    command: Credit | Debit
    future: Future[Outcome] = field(default_factory=Future)


@dataclass
class Ledger:
    store: EventStore
    clock: Clock = utc_now
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    group_size: int = 25
    cache_heads: bool = True
    stats: dict[str, int] = field(default_factory=lambda: {"retries": 0, "groups": 0})
    _queues: dict[str, list[_Pending]] = field(default_factory=dict)
    _leaders: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _heads: dict[str, AccountState] = field(default_factory=dict)

    # --- entry points ---------------------------------------------------------------------

    def submit_raw(self, raw: str | bytes | dict[str, Any]) -> Outcome:
        """Parse and execute, never raising for the caller's or the backend's failures.

        Bad input is a ``rejected`` outcome (nothing written); a backend failure is ``failed``
        (the write may or may not have happened: resending the same command is safe).
        """
        try:
            command = parse_command(raw)
        except InvalidInput as exc:
            return rejected(str(exc), txn_id=txn_id_of(raw))
        try:
            return self.execute(command)
        except AcmeError as exc:
            return failed(str(exc), txn_id=getattr(command, "txn_id", None))

    def execute(self, command: AnyCommand) -> Outcome:
        try:
            if isinstance(command, OpenAccount):
                return self._open(command)
            if isinstance(command, Transfer):
                return self._transfer(command)
            return self._enqueue(command)
        except InvalidInput as exc:
            return rejected(
                str(exc),
                txn_id=getattr(command, "txn_id", None),
                account_id=getattr(command, "account_id", None)
                or getattr(command, "from_account", None),
            )

    # --- open account ---------------------------------------------------------------------

    def _open(self, cmd: OpenAccount) -> Outcome:
        for attempt in range(self.retry.max_attempts):
            now = self.clock()
            events = decide({}, cmd, now)
            try:
                self.store.append(
                    events, [], open_account_actions(self.store.table, cmd, now.isoformat())
                )
                return outcome_of(events)
            except (SeqTaken, TxnIdsTaken):
                first = next(iter(self.store.events(cmd.account_id, 0, 0)), None)
                if first is None:  # a conflicting transaction, not an existing account
                    self.retry.sleep(attempt)
                    continue
                if (
                    isinstance(first, AccountOpened)
                    and first.customer_id == cmd.customer_id
                    and first.currency == cmd.currency
                ):
                    return as_duplicate(outcome_of([first]))
                raise AccountAlreadyExists(cmd.account_id) from None
        raise ContentionExhausted(f"open account {cmd.account_id}: gave up")

    # --- transfers: two accounts, one transaction -----------------------------------------

    def _transfer(self, cmd: Transfer) -> Outcome:
        for attempt in range(self.retry.max_attempts):
            states = self._states(cmd.from_account, cmd.to_account)
            events = decide(states, cmd, self.clock())
            outcome = outcome_of(events)
            try:
                self.store.append(events, [self._record(cmd, outcome)])
            except TxnIdsTaken:
                return self._duplicate(cmd)
            except SeqTaken:
                self._forget(cmd.from_account, cmd.to_account)
                self.stats["retries"] += 1
                self.retry.sleep(attempt)
                continue
            self._remember(apply_all(states, events))
            return outcome
        raise ContentionExhausted(
            f"transfer {cmd.txn_id}: gave up after {self.retry.max_attempts} attempts"
        )

    # --- credits and debits: group commit per account -------------------------------------

    def _enqueue(self, cmd: Credit | Debit) -> Outcome:
        pending = _Pending(cmd)
        with self._lock:
            self._queues.setdefault(cmd.account_id, []).append(pending)
            lead = cmd.account_id not in self._leaders
            if lead:
                self._leaders.add(cmd.account_id)
        if lead:
            self._lead(cmd.account_id)
        return pending.future.result()

    def _lead(self, account_id: str) -> None:
        """Drain the account's queue group by group until it is empty, then step down."""
        while True:
            with self._lock:
                queue = self._queues.get(account_id, [])
                group, rest = _take_group(queue, self.group_size)
                self._queues[account_id] = rest
                if not group:
                    self._leaders.discard(account_id)
                    self._queues.pop(account_id, None)
                    return
            try:
                self._commit_group(account_id, group)
            except BaseException as exc:
                for pending in group:
                    if not pending.future.done():
                        _fail(pending, exc)

    def _commit_group(self, account_id: str, group: list[_Pending]) -> None:
        self.stats["groups"] += 1
        for attempt in range(self.retry.max_attempts):
            group = [p for p in group if not p.future.done()]
            if not group:
                return
            states = self._states(account_id)
            events: list[LedgerEvent] = []
            records: list[IdempotencyRecord] = []
            decided: list[tuple[_Pending, Outcome]] = []
            for pending in group:
                try:
                    own = decide(states, pending.command, self.clock())
                except AcmeError as exc:
                    _fail(pending, exc)
                    continue
                states = apply_all(states, own)
                outcome = outcome_of(own)
                events += own
                records.append(self._record(pending.command, outcome))
                decided.append((pending, outcome))
            if not decided:
                return
            try:
                self.store.append(events, records)
            except TxnIdsTaken as taken:
                for pending, _ in decided:
                    if pending.command.txn_id in taken.txn_ids:
                        _settle(pending, partial(self._duplicate, pending.command))
                continue  # the rest retry at once, without backoff
            except SeqTaken:
                self._forget(account_id)
                self.stats["retries"] += 1
                self.retry.sleep(attempt)
                continue
            self._remember(states)
            for pending, outcome in decided:
                pending.future.set_result(outcome)
            return
        raise ContentionExhausted(
            f"account {account_id}: gave up after {self.retry.max_attempts} attempts"
        )

    # --- helpers --------------------------------------------------------------------------

    def _states(self, *account_ids: str) -> dict[str, AccountState]:
        """Account heads: cached from our own last commit, else read (strongly consistent).

        A cached head is only a guess: if another writer appended since, our write of seq
        n+1 meets an existing item, the condition fails, we forget the head and re-read.
        """
        states = {}
        for account_id in account_ids:
            state = self._heads.get(account_id) if self.cache_heads else None
            if state is None:
                state = self.store.state(account_id)
            if state is not None:
                states[account_id] = state
        return states

    def _remember(self, states: dict[str, AccountState]) -> None:
        if not self.cache_heads:
            return
        with self._lock:
            for account_id, state in states.items():
                known = self._heads.get(account_id)
                if known is None or known.seq < state.seq:
                    self._heads[account_id] = state

    def _forget(self, *account_ids: str) -> None:
        with self._lock:
            for account_id in account_ids:
                self._heads.pop(account_id, None)

    @staticmethod
    def _record(cmd: Credit | Debit | Transfer, outcome: Outcome) -> IdempotencyRecord:
        return IdempotencyRecord(cmd.txn_id, cmd.fingerprint(), outcome)

    def _duplicate(self, cmd: Credit | Debit | Transfer) -> Outcome:
        record = self.store.idempotency_record(cmd.txn_id)
        if record is None:  # pragma: no cover - the record was seen by the condition
            raise ContentionExhausted(f"txn {cmd.txn_id}: idempotency record vanished")
        if record.fingerprint != cmd.fingerprint():
            raise TxnIdConflict(cmd.txn_id)
        return as_duplicate(record.outcome)


def _take_group(queue: list[_Pending], size: int) -> tuple[list[_Pending], list[_Pending]]:
    """Up to ``size`` commands with distinct txn ids (a repeated id waits for the next group)."""
    group: list[_Pending] = []
    rest: list[_Pending] = []
    seen: set[str] = set()
    for pending in queue:
        if len(group) < size and pending.command.txn_id not in seen:
            seen.add(pending.command.txn_id)
            group.append(pending)
        else:
            rest.append(pending)
    return group, rest


def _fail(pending: _Pending, exc: BaseException) -> None:
    if isinstance(exc, InvalidInput):
        cmd = pending.command
        pending.future.set_result(rejected(str(exc), txn_id=cmd.txn_id, account_id=cmd.account_id))
    else:
        pending.future.set_exception(exc)


def _settle(pending: _Pending, compute: Callable[[], Outcome]) -> None:
    try:
        pending.future.set_result(compute())
    except BaseException as exc:
        _fail(pending, exc)
