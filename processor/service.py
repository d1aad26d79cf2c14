"""The ledger service: validate, dispatch, and run each command as an optimistic append.

Opening an account and a transfer run on their own; credits and debits go through the
per-account group commit (``group_commit``), so a hot account's writers share appends
instead of fighting over one sequence number. Every kind runs through the one optimistic
loop (``appends.Appender``): across processes the conditional appends keep the ledger
correct, and losers re-read and retry with full-jitter backoff (``acme_base.retry.Backoff``).
What each kind appends and how it resolves a lost claim is in ``jobs``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from acme_base.errors import AcmeError, ConfigError, InvalidInput
from acme_base.retry import Backoff
from processor.append_batch import batched
from processor.appends import Appender, HeadCache
from processor.commands import (
    AnyCommand,
    Linked,
    OpenAccount,
    PostPending,
    Transfer,
    VoidPending,
    txn_id_of,
)
from processor.customers.commands import CustomerCommand, parse_submitted
from processor.customers.service import CustomerService
from processor.group_commit import GroupCommit, Pending
from processor.jobs import Clock, GroupJob, OpenJob, TransferJob
from processor.linked_jobs import LinkedJob
from processor.offers.commands import OfferCommand
from processor.offers.service import OfferService
from processor.outcomes import Outcome, failed, rejected
from processor.pending_jobs import ExpireJob, ResolveJob, sweep_candidates
from processor.ports import EventStore

__all__ = ["Clock", "Ledger", "utc_now"]


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
    adopt_heads: bool = True  # a lost race adopts the winner's head (processor.appends)
    #: transactions in flight shared by many accounts' appends (processor.append_batch; 0: off)
    batch_writers: int = 2
    stats: dict[str, int] = field(default_factory=lambda: {"retries": 0, "groups": 0})
    offers: OfferService | None = None  # create/send/respond_offer (processor.offers)
    customers: CustomerService | None = None  # register/update_customer (processor.customers)
    _appender: Appender = field(init=False, repr=False)
    _groups: GroupCommit = field(init=False, repr=False)

    def __post_init__(self) -> None:
        heads = HeadCache(self.store, self.cache_heads)
        writer = batched(self.store, self.batch_writers)
        self._appender = Appender(writer, self.backoff, heads, self.stats, self.adopt_heads)
        self._groups = GroupCommit(self._commit_group, self.group_size)

    # --- entry points ---------------------------------------------------------------------

    def submit_raw(self, raw: str | bytes | dict[str, Any]) -> Outcome:
        """Parse and execute, never raising for the caller's or the backend's failures.

        Bad input is a ``rejected`` outcome (nothing written); a backend failure is ``failed``
        (the write may or may not have happened: resending the same command is safe).
        """
        try:
            command = parse_submitted(raw)  # customers, offers, else parse_command
        except InvalidInput as exc:
            return rejected(str(exc), txn_id=txn_id_of(raw))
        try:
            return self.execute(command)
        except AcmeError as exc:
            return failed(str(exc), txn_id=getattr(command, "txn_id", None))

    def execute(self, command: AnyCommand | OfferCommand | CustomerCommand) -> Outcome:
        """Run a parsed command; bad input is ``rejected``, backend errors raise."""
        try:
            return self._dispatch(command)
        except InvalidInput as exc:
            return rejected(
                str(exc),
                txn_id=getattr(command, "txn_id", None),
                account_id=getattr(command, "account_id", None)
                or getattr(command, "from_account", None),
            )

    def _dispatch(self, command: AnyCommand | OfferCommand | CustomerCommand) -> Outcome:
        if isinstance(command, CustomerCommand):
            if self.customers is None:
                raise ConfigError("this ledger was built without the customer store")
            return self.customers.handle(command, self.clock())
        if isinstance(command, OfferCommand):
            if self.offers is None:
                raise ConfigError("this ledger was built without the offer store")
            return self.offers.handle(command, self.clock())
        if isinstance(command, OpenAccount):
            job: OpenJob | TransferJob | ResolveJob | LinkedJob = OpenJob(
                cmd=command, store=self.store, clock=self.clock
            )
        elif isinstance(command, Transfer):
            job = TransferJob(cmd=command, store=self.store, clock=self.clock)
        elif isinstance(command, PostPending | VoidPending):
            job = ResolveJob(cmd=command, store=self.store, clock=self.clock)
        elif isinstance(command, Linked):
            job = LinkedJob(cmd=command, store=self.store, clock=self.clock)
        else:
            return self._groups.submit(command)
        self._appender.run(job)
        return job.result()

    def expire_pending(self, now: datetime | None = None, *, scan: bool = False) -> list[Outcome]:
        """The sweeper: record ``PendingExpired`` for every expired, unresolved pending
        (idempotent: a resolved one is skipped; ``processor.pending_jobs``). It finds them
        on the expiry index; ``scan``: in the whole log instead (pendings placed before the
        index existed)."""
        now = now or self.clock()
        outcomes = []
        for pending_txn_id, accounts in sweep_candidates(self.store, now, scan=scan):
            job = ExpireJob(pending_txn_id=pending_txn_id, accounts=accounts, now=now)
            self._appender.run(job)
            if job.outcome is not None:
                outcomes.append(job.outcome)
        return outcomes

    def _commit_group(self, account_id: str, group: list[Pending]) -> None:
        self.stats["groups"] += 1
        self._appender.run(GroupJob(account_id, group, self.store, self.clock))
