"""The ledger service: validate, dispatch, and run each command as an optimistic append.

Opening an account and a transfer run on their own; credits and debits go through the
per-account group commit (``group_commit``), so a hot account's writers share appends
instead of fighting over one sequence number. Every kind runs through the one optimistic
loop (``appends.Appender``): across processes the conditional appends keep the ledger
correct, and losers re-read and retry with full-jitter backoff (``acme_base.retry.Backoff``).
What each kind appends and how it resolves a lost claim is in ``jobs``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from acme_base.errors import AcmeError, ConfigError, InvalidInput
from acme_base.retry import Backoff
from processor.customers.service import CustomerService
from processor.domain.commands import (
    LEDGER,
    BlockAccount,
    CloseAccount,
    Credit,
    Debit,
    Linked,
    OpenAccount,
    PostPending,
    SetLimits,
    Transfer,
    UnblockAccount,
    VoidPending,
    txn_id_of,
)
from processor.domain.outcomes import Outcome, failed, rejected
from processor.domain.time_policy import TimePolicy
from processor.offers.service import OfferService
from processor.services.appends import Appender, HeadCache
from processor.services.commands import SUBMITTED, SubmittedCommand, parse_submitted
from processor.services.group_commit import GroupCommit, Pending
from processor.services.jobs import Clock, GroupJob, OpenJob, TransferJob
from processor.services.linked_jobs import LinkedJob
from processor.services.pending_jobs import ExpireJob, ResolveJob, sweep_candidates
from processor.storage.append_batch import batched
from processor.storage.ports import EventReader, EventStore

__all__ = ["LEDGER_ROUTES", "Clock", "Ledger", "utc_now"]

#: how a ledger command runs: a job of its own, or its account's group commit
Route = Callable[["Ledger", Any], Outcome]


def _job(make: Callable[..., OpenJob | TransferJob | ResolveJob | LinkedJob]) -> Route:
    """The route of a command that runs as a job of its own."""
    return lambda ledger, cmd: ledger.run_job(make(cmd=cmd, store=ledger.store, clock=ledger.clock))


def _grouped(ledger: Ledger, cmd: Any) -> Outcome:
    """The commands of one account (``GroupCommand``) go through its group commit."""
    return ledger.group_commit(cmd)


def _open(ledger: Ledger, cmd: OpenAccount) -> Outcome:
    """An opening reads the history too: an archived account's opening is a duplicate."""
    store, clock = ledger.store, ledger.clock
    return ledger.run_job(OpenJob(cmd=cmd, store=store, clock=clock, history=ledger.history))


#: every ledger command's class -> how it runs, checked exhaustive over the ledger's registry
LEDGER_ROUTES: Mapping[type[BaseModel], Route] = LEDGER.cover(
    {
        OpenAccount: _open,
        Transfer: _job(TransferJob),
        PostPending: _job(ResolveJob),
        VoidPending: _job(ResolveJob),
        Linked: _job(LinkedJob),
        Credit: _grouped,
        Debit: _grouped,
        BlockAccount: _grouped,
        UnblockAccount: _grouped,
        SetLimits: _grouped,
        CloseAccount: _grouped,
    }
)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Ledger:
    """The write side's entry point (one per process, or per simulated process in tests).

    ``stats["retries"]`` counts lost seq races (backoffs), ``stats["groups"]`` group commits.
    """

    store: EventStore
    clock: Clock = utc_now
    backoff: Backoff = field(default_factory=Backoff)
    group_size: int = 25
    cache_heads: bool = True
    #: transactions in flight shared by many accounts' appends (append_batch; 0: off)
    batch_writers: int = 2
    adopt_heads: bool = True  # a lost race adopts the winner's head (processor.services.appends)
    stats: dict[str, int] = field(default_factory=lambda: {"retries": 0, "groups": 0})
    offers: OfferService | None = None  # create/send/respond_offer (processor.offers)
    customers: CustomerService | None = None  # register/update_customer (processor.customers)
    history: EventReader | None = None  # archive + live: an archived account's opening
    time_policy: TimePolicy = field(default_factory=TimePolicy)  # occurred_at's bounds
    _appender: Appender = field(init=False, repr=False)
    _groups: GroupCommit = field(init=False, repr=False)
    _handlers: dict[type[BaseModel], Callable[[Any], Outcome]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._handlers = SUBMITTED.dispatch(
            {
                "ledger": self._ledger_command,
                "customers": self._customer_command,
                "offers": self._offer_command,
            }
        )
        heads = HeadCache(self.store, self.cache_heads)
        writer = batched(self.store, self.batch_writers)
        self._appender = Appender(writer, self.backoff, heads, self.stats, self.adopt_heads)
        self._groups = GroupCommit(self._commit_group, self.group_size)

    # --- entry points ---------------------------------------------------------------------

    def submit_raw(self, raw: str | bytes | dict[str, Any], *, operator: bool = True) -> Outcome:
        """Parse and execute, never raising for the caller's or the backend's failures.

        Bad input is a ``rejected`` outcome (nothing written); a backend failure is ``failed``
        (the write may or may not have happened: resending the same command is safe).
        ``operator``: the caller may backdate beyond the time policy's bound; in-process
        callers (the CLI, the apps, the sweeper) are the operator, and an edge serving others
        (the HTTP API) passes False unless its caller has operator rights.
        """
        try:
            command = parse_submitted(raw)  # customers, offers, else parse_command
        except InvalidInput as exc:
            return rejected(str(exc), txn_id=txn_id_of(raw))
        try:
            return self.execute(command, operator=operator)
        except AcmeError as exc:
            return failed(str(exc), txn_id=getattr(command, "txn_id", None))

    def execute(self, command: SubmittedCommand, *, operator: bool = True) -> Outcome:
        """Run a parsed command; bad input is ``rejected``, backend errors raise; an
        ``occurred_at`` outside the time policy (``processor.domain.time_policy``) is bad input."""
        try:
            self.time_policy.check(command, self.clock(), operator=operator)
            return self._dispatch(command)
        except InvalidInput as exc:
            return rejected(
                str(exc),
                txn_id=getattr(command, "txn_id", None),
                account_id=getattr(command, "account_id", None)
                or getattr(command, "from_account", None),
            )

    def _dispatch(self, command: SubmittedCommand) -> Outcome:
        return self._handlers[type(command)](command)

    def _customer_command(self, command: Any) -> Outcome:
        if self.customers is None:
            raise ConfigError("this ledger was built without the customer store")
        return self.customers.handle(command, self.clock())

    def _offer_command(self, command: Any) -> Outcome:
        if self.offers is None:
            raise ConfigError("this ledger was built without the offer store")
        return self.offers.handle(command, self.clock())

    def _ledger_command(self, command: Any) -> Outcome:
        """Run a ledger command by its route (``LEDGER_ROUTES``)."""
        return LEDGER_ROUTES[type(command)](self, command)

    def run_job(self, job: OpenJob | TransferJob | ResolveJob | LinkedJob) -> Outcome:
        """Run a job of its own through the optimistic append loop; its outcome."""
        self._appender.run(job)
        return job.result()

    def group_commit(self, command: Any) -> Outcome:
        """Run an account's command through its group commit (``GroupCommand``)."""
        return self._groups.submit(command)

    def forget_heads(self) -> None:
        """Drop every cached account head: the next command of each account reads its head
        from the store (after the store changed behind this ledger, e.g. an archival cut)."""
        self._appender.heads.forget_all()

    def expire_pending(
        self, now: datetime | None = None, *, scan: bool = False, force: bool = False
    ) -> list[Outcome]:
        """The sweeper: record ``PendingExpired`` for every expired, unresolved pending
        (idempotent: a resolved one is skipped; ``processor.services.pending_jobs``). It finds them
        on the expiry index; ``scan``: in the whole log instead (pendings placed before the
        index existed). A ``now`` after the ledger's clock is refused (``InvalidInput``)
        unless ``force``: the ledger's clock, not the caller's, decides what has expired."""
        now = self.sweep_instant(now, force=force)
        outcomes = []
        for pending_txn_id, accounts in sweep_candidates(self.store, now, scan=scan):
            job = ExpireJob(pending_txn_id=pending_txn_id, accounts=accounts, now=now)
            self._appender.run(job)
            if job.outcome is not None:
                outcomes.append(job.outcome)
        return outcomes

    def sweep_instant(self, now: datetime | None, *, force: bool = False) -> datetime:
        """The sweep's instant: the clock, or an earlier ``now`` (a later one only ``force``d)."""
        clock = self.clock()
        if now is None:
            return clock
        if now > clock and not force:
            raise InvalidInput(
                f"--now {now.isoformat()} is after the ledger's clock ({clock.isoformat()}): "
                "it would expire pendings early and date events in the future; pass --force "
                "to do it anyway"
            )
        return now

    def expiry_candidates(
        self, now: datetime | None = None, *, scan: bool = False, force: bool = False
    ) -> list[tuple[str, tuple[str, ...]]]:
        """``--dry-run``: the pendings (and their accounts) a sweep would try; reads only
        (a candidate resolved meanwhile is skipped by the real sweep)."""
        return sweep_candidates(self.store, self.sweep_instant(now, force=force), scan=scan)

    def _commit_group(self, account_id: str, group: list[Pending]) -> None:
        self.stats["groups"] += 1
        self._appender.run(GroupJob(account_id, group, self.store, self.clock))
