"""What each command kind appends, and what a lost claim means for it (``appends.Job``s).

- opening an account: a taken seq 0 is the same account opened before with the same payload
  (``duplicate``), or another account or other limits under that id (``AccountAlreadyExists``:
  ``rejected``), or, when nothing is there yet, a concurrent transaction (back off and retry);
- a transfer: a taken txn id is answered from its idempotency record; a taken seq retries;
- a group of one account's credits/debits: each command decided in turn on the previous one's
  state; taken txn ids are answered one by one and the rest retry at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from acme_base.errors import (
    AccountAlreadyExists,
    AcmeError,
    ContentionExhausted,
    InvalidInput,
    TxnIdConflict,
)
from processor.domain.commands import GroupCommand, Linked, OpenAccount, Resolution, Transfer
from processor.domain.decide import AccountState, apply_all, decide
from processor.domain.events import AccountOpened, HistoryArchived, LedgerEvent
from processor.domain.lifecycle import opening_limits
from processor.domain.outcomes import Outcome, as_duplicate, outcome_of
from processor.services.appends import Plan, Step
from processor.services.group_commit import Pending
from processor.storage.ports import EventReader, EventStore, IdempotencyRecord

Clock = Callable[[], datetime]
MoneyCommand = GroupCommand | Transfer | Resolution | Linked


def record_of(cmd: MoneyCommand, outcome: Outcome) -> IdempotencyRecord:
    return IdempotencyRecord(cmd.txn_id, cmd.fingerprint(), outcome)


def duplicate_of(store: EventStore, cmd: MoneyCommand) -> Outcome:
    """The answer to a resent command: the original outcome, if the payload is the same."""
    record = store.idempotency_record(cmd.txn_id)
    if record is None:  # pragma: no cover - the record was seen by the condition
        raise ContentionExhausted(f"txn {cmd.txn_id}: idempotency record vanished")
    if record.fingerprint != cmd.fingerprint():
        raise TxnIdConflict(cmd.txn_id)
    return as_duplicate(record.outcome)


def refusal_of(store: EventStore, cmd: MoneyCommand, exc: AcmeError) -> Outcome:
    """A command ``decide`` refused: if its txn id is recorded, a retry still gets the
    original outcome (blocking a blocked account is refused, but resending the block that
    blocked it is a ``duplicate``); otherwise the refusal stands (raised)."""
    if isinstance(exc, InvalidInput) and store.idempotency_record(cmd.txn_id) is not None:
        return duplicate_of(store, cmd)
    raise exc


@dataclass
class _Single:
    """A job answering one caller: ``outcome`` once it ran."""

    outcome: Outcome | None = field(default=None, init=False)

    def result(self) -> Outcome:
        if self.outcome is None:  # pragma: no cover - run() returns only once it is set
            raise ContentionExhausted("the append ended without an outcome")
        return self.outcome

    def committed(self, plan: Plan) -> None:
        self.outcome = outcome_of(plan.events)


@dataclass
class OpenJob(_Single):
    """An opening reads the account's head first: an archived account has no live seq 0
    (its ``AccountOpened`` is in the archive), so the seq-0 claim alone would open it again.
    ``history``: archive + live (``processor.services.archiver.HistoryReader``), where an archived
    account's opening is found to answer a resend."""

    cmd: OpenAccount = field(kw_only=True)
    store: EventStore = field(kw_only=True)
    clock: Clock = field(kw_only=True)
    history: EventReader | None = field(default=None, kw_only=True)
    accounts: tuple[str, ...] = field(default=(), init=False)

    def __post_init__(self) -> None:
        self.accounts = (self.cmd.account_id,)

    def plan(self, states: dict[str, AccountState]) -> Plan | None:
        if self.cmd.account_id in states:  # it exists: a resend, or another account's id
            self.seq_taken()
            return None
        return Plan(decide({}, self.cmd, self.clock()), opening=self.cmd)

    def txn_ids_taken(self, txn_ids: list[str]) -> Step:
        return self.seq_taken()  # an opening writes no idempotency record

    def seq_taken(self) -> Step:
        cmd = self.cmd
        first = self._opening()
        if first is None:  # a conflicting transaction, not an existing account
            return Step.BACKOFF
        if _same_opening(first, cmd):
            self.outcome = as_duplicate(outcome_of([first]))
            return Step.DONE
        raise AccountAlreadyExists(cmd.account_id) from None

    def _opening(self) -> LedgerEvent | None:
        """The account's ``AccountOpened`` (from the archive too), else its first live event
        (an archival snapshot, when no archive is at hand), else None."""
        account = self.cmd.account_id
        reader = self.history if self.history is not None else self.store
        first = next(iter(reader.events(account, 0, 0)), None)
        return first or next(iter(self.store.events(account)), None)

    def gave_up(self, attempts: int) -> str:
        return f"open account {self.cmd.account_id}: gave up"


def _same_opening(first: LedgerEvent, cmd: OpenAccount) -> bool:
    """A resent opening is a ``duplicate`` only with the whole payload the account was opened
    with (customer, currency, limits); any other is a conflicting reuse of the id. Of an
    archived account read without its archive only the snapshot is known: the opening's
    limits are not, so customer and currency decide."""
    if isinstance(first, HistoryArchived):
        return (first.customer_id, first.currency) == (cmd.customer_id, cmd.currency)
    if not isinstance(first, AccountOpened):
        return False
    return (first.customer_id, first.currency, first.limits) == (
        cmd.customer_id,
        cmd.currency,
        opening_limits(cmd),
    )


@dataclass
class TransferJob(_Single):
    cmd: Transfer = field(kw_only=True)
    store: EventStore = field(kw_only=True)
    clock: Clock = field(kw_only=True)

    @property
    def accounts(self) -> tuple[str, ...]:
        return (self.cmd.from_account, self.cmd.to_account)

    def plan(self, states: dict[str, AccountState]) -> Plan | None:
        try:
            events = decide(states, self.cmd, self.clock())
        except InvalidInput as exc:  # a retry after its account closed is still a duplicate
            self.outcome = refusal_of(self.store, self.cmd, exc)
            return None
        record = record_of(self.cmd, outcome_of(events))
        return Plan(events, [record], heads_after=apply_all(states, events))

    def txn_ids_taken(self, txn_ids: list[str]) -> Step:
        self.outcome = duplicate_of(self.store, self.cmd)
        return Step.DONE

    def seq_taken(self) -> Step:
        return Step.BACKOFF

    def gave_up(self, attempts: int) -> str:
        return f"transfer {self.cmd.txn_id}: gave up after {attempts} attempts"


@dataclass
class GroupJob:
    """Credits and debits of one account, committed together (see ``group_commit``)."""

    account_id: str
    group: list[Pending]
    store: EventStore
    clock: Clock
    _decided: list[tuple[Pending, Outcome]] = field(default_factory=list)

    @property
    def accounts(self) -> tuple[str, ...]:
        return (self.account_id,)

    def plan(self, states: dict[str, AccountState]) -> Plan | None:
        """Decide each waiting command on the state the previous ones leave."""
        self.group = [p for p in self.group if not p.future.done()]
        events: list[LedgerEvent] = []
        records: list[IdempotencyRecord] = []
        self._decided = []
        for pending in self.group:
            try:
                own = decide(states, pending.command, self.clock())
            except AcmeError as exc:
                pending.settle(partial(refusal_of, self.store, pending.command, exc))
                continue
            states = apply_all(states, own)
            outcome = outcome_of(own)
            events += own
            records.append(record_of(pending.command, outcome))
            self._decided.append((pending, outcome))
        if not self._decided:
            return None
        return Plan(events, records, heads_after=states)

    def committed(self, plan: Plan) -> None:
        for pending, outcome in self._decided:
            pending.future.set_result(outcome)

    def txn_ids_taken(self, txn_ids: list[str]) -> Step:
        for pending, _ in self._decided:
            if pending.command.txn_id in txn_ids:
                pending.settle(partial(duplicate_of, self.store, pending.command))
        return Step.AGAIN

    def seq_taken(self) -> Step:
        return Step.BACKOFF

    def gave_up(self, attempts: int) -> str:
        return f"account {self.account_id}: gave up after {attempts} attempts"
