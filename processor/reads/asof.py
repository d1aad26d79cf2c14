"""Point-in-time reads of the event log: ``balance --as-of``, ``report balances``, statements.

The rule (``processor.domain.asof_rule``): a balance as of an effective time ``T`` is the sum of the
approved postings effective at or before ``T``, whatever order they were recorded in; "as
known at" a recorded time ``K`` counts only the events recorded by ``K``. It is answered as
the known head's ``balance_after`` less the postings effective after ``T``, so a read costs:

- the known head: one strongly consistent Query of the account's partition, newest first
  (``Limit 1``; with ``--known-at``, paged back past the events recorded after ``K``);
- the events effective after ``T``: Queries of GSI1 (``GSI1SK = <txn_date>#<seq>``, the
  account's index by effective day) from ``T``'s day on, ``PAGE`` events each: one Query
  unless more than ``PAGE`` events are effective from ``T``'s day on;
- for ``balance --as-of`` (the open pendings and limits at ``T``): the newest event
  effective by ``T`` on GSI1 (one Query, ``Limit 1``, paging back within ``T``'s day only).

End-of-day figures (``report daily --balances``) read each account's head and tail once for
every day asked (``balances_at``). The GSI1 reads are eventually consistent (an event written
a moment ago may be missing from them); the head read is not.

``AsOfSource`` is what the answer needs from storage: ``DynamoAsOfSource`` reads the tables,
``processor.reads.asof_memory.MemoryAsOfSource`` the in-memory event store (the property suite).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from acme_base.aws import call, deserialize, paginate_items, serialize
from acme_base.keys import ACCOUNT_PREFIX, TXN_PREFIX, TXN_SK_UPPER, account_pk
from acme_base.tables import GSI1
from processor.domain.asof_rule import balance_as_of, known_head
from processor.domain.events import LedgerEvent
from processor.domain.money import format_minor
from processor.domain.pending import available_now, pending_credits, pending_debits
from processor.reads.statements import Statement, build_statement
from processor.storage.codec import item_to_event
from processor.storage.ports import state_of_head
from processor.storage.query_specs import NO_MONEY, NOT_OPEN, check_id, parse_range

PAGE = 100  # events per Query when a read has to page (tails, statement entries)
#: the instant just before a day starts: a statement's opening is the balance as of it
TICK = timedelta(microseconds=1)


class AsOfSource(Protocol):
    """The reads an as-of answer needs (one account; events decoded)."""

    def newest_first(self, account_id: str) -> Iterator[LedgerEvent]:
        """The account's events by seq, newest first (strongly consistent)."""
        ...

    def effective_from(self, account_id: str, day: str) -> Iterator[LedgerEvent]:
        """The events effective on ``day`` or later, in GSI1 order (day, then seq)."""
        ...

    def newest_by(self, account_id: str, day: str) -> Iterator[LedgerEvent]:
        """The events effective on ``day`` or earlier, GSI1 order reversed."""
        ...

    def in_range(self, account_id: str, first: str, last: str) -> Iterator[dict[str, Any]]:
        """The money events effective ``first..last``, in GSI1 order, as plain items."""
        ...

    def accounts(self) -> Iterator[str]:
        """Every account of the log, once each (opened, or archived to a snapshot)."""
        ...


@dataclass(frozen=True)
class AsOf:
    """An account's posted balance as of an effective instant (as known at ``known_at``)."""

    account_id: str
    at: datetime
    balance: int  # minor units
    currency: str
    seq: int  # the known head's: the answer counts the events up to it
    occurred_at: str  # of the newest event effective by ``at`` (its pendings and limits)
    recorded_at: str | None
    #: the ledger's running balance at that event differs (a backdated event changed it)
    backdated: bool
    later_postings: int = 0  # postings recorded by then but effective after ``at``
    known_at: datetime | None = None
    #: the open pendings live at ``at`` (one expired by then counts as released), and what
    #: was available (None: no floor)
    pending_debits: int = 0
    pending_credits: int = 0
    available: int | None = None

    def pending_json(self) -> dict[str, str | None]:
        """``posted``, ``pending_debits``, ``pending_credits``, ``available`` (decimal
        strings), as ``balance`` shows them now."""
        return {
            "posted": format_minor(self.balance, self.currency),
            "pending_debits": format_minor(self.pending_debits, self.currency),
            "pending_credits": format_minor(self.pending_credits, self.currency),
            "available": None
            if self.available is None
            else format_minor(self.available, self.currency),
        }


def answer_as_of(
    source: AsOfSource, account_id: str, at: datetime, known_at: datetime | None = None
) -> AsOf | None:
    """The balance as of ``at`` as known at ``known_at`` (None: not open at ``at``, or not
    known at ``known_at``), with the pendings of the newest event effective by ``at``."""
    head = known_head(source.newest_first(account_id), known_at)
    if head is None:
        return None
    result = balance_as_of(head, source.effective_from(account_id, at.date().isoformat()), at)
    if result is None:
        return None
    balance, later = result
    day = at.date().isoformat()
    picked = next(
        (e for e in source.newest_by(account_id, day) if e.seq <= head.seq and e.occurred_at <= at),
        head,
    )
    state = state_of_head(account_id, picked)
    assert state is not None  # a decoded event always gives a state
    state = state.__class__(**{**state.__dict__, "balance": balance})
    return AsOf(
        account_id=account_id,
        at=at,
        balance=balance,
        currency=head.currency,
        seq=head.seq,
        occurred_at=picked.occurred_at.isoformat(),
        recorded_at=None if picked.recorded_at is None else picked.recorded_at.isoformat(),
        backdated=picked.balance_after != balance,
        later_postings=later,
        known_at=known_at,
        pending_debits=pending_debits(state, at),
        pending_credits=pending_credits(state, at),
        available=available_now(state, at),
    )


def balances_as_of(
    source: AsOfSource, account_id: str, instants: Sequence[datetime]
) -> tuple[str, dict[datetime, int | None]] | None:
    """The account's currency and its balance as of each instant (None: not open then),
    from one head read and one read of the events effective from the earliest instant's
    day on. None: the account has no events."""
    head = known_head(source.newest_first(account_id), None)
    if head is None or not instants:
        return None
    first = min(instants).date().isoformat()
    tail = list(source.effective_from(account_id, first))
    answers: dict[datetime, int | None] = {}
    for at in instants:
        result = balance_as_of(head, tail, at)
        answers[at] = None if result is None else result[0]
    return head.currency, answers


@dataclass
class DynamoAsOfSource:
    """``AsOfSource`` on the ledger table and its GSI1 (``queries_made`` counts Queries)."""

    client: Any
    table: str
    queries_made: int = 0

    def newest_first(self, account_id: str) -> Iterator[LedgerEvent]:
        params = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": serialize(
                {":pk": _pk(account_id), ":lo": TXN_PREFIX, ":hi": TXN_SK_UPPER}
            ),
            "ScanIndexForward": False,
            "ConsistentRead": True,
        }
        return (item_to_event(i) for i in self._pages("query ledger head (as-of)", params, 1))

    def effective_from(self, account_id: str, day: str) -> Iterator[LedgerEvent]:
        params = self._gsi1(account_id, "GSI1SK >= :lo", {":lo": f"{day}#"}, forward=True)
        return (item_to_event(i) for i in self._pages("query GSI1 (as-of tail)", params, PAGE))

    def newest_by(self, account_id: str, day: str) -> Iterator[LedgerEvent]:
        params = self._gsi1(account_id, "GSI1SK <= :hi", {":hi": f"{day}#~"}, forward=False)
        return (item_to_event(i) for i in self._pages("query GSI1 (as-of)", params, 1))

    def in_range(self, account_id: str, first: str, last: str) -> Iterator[dict[str, Any]]:
        """The money events of ``first..last`` in index order, a page at a time."""
        params: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": GSI1,
            "KeyConditionExpression": "GSI1PK = :pk AND GSI1SK BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": serialize(
                {":pk": _pk(account_id), ":lo": f"{first}#", ":hi": f"{last}#~", **NO_MONEY}
            ),
            "ScanIndexForward": True,
            "FilterExpression": NOT_OPEN,
            "ExpressionAttributeNames": {"#kind": "kind"},
        }
        pages = paginate_items(self.client, "query", "query GSI1 (statement)", Limit=PAGE, **params)
        return (deserialize(i) for i in pages)

    def accounts(self) -> Iterator[str]:
        """Every account of the log, streamed: a paginated Scan for the items of kind
        ``open`` (an account's opening, or its archive snapshot), keys and id only."""
        seen: set[str] = set()  # an archived account has both: one id per account
        for item in paginate_items(
            self.client,
            "scan",
            "scan ledger for accounts",
            TableName=self.table,
            FilterExpression="#kind = :open AND begins_with(PK, :acct)",
            ProjectionExpression="account_id",
            ExpressionAttributeNames={"#kind": "kind"},
            ExpressionAttributeValues=serialize({":open": "open", ":acct": ACCOUNT_PREFIX}),
        ):
            account = str(deserialize(item)["account_id"])
            if account not in seen:
                seen.add(account)
                yield account

    def _gsi1(
        self, account_id: str, condition: str, values: dict[str, str], *, forward: bool
    ) -> dict[str, Any]:
        return {
            "TableName": self.table,
            "IndexName": GSI1,
            "KeyConditionExpression": f"GSI1PK = :pk AND {condition}",
            "ExpressionAttributeValues": serialize({":pk": _pk(account_id), **values}),
            "ScanIndexForward": forward,
        }

    def _pages(self, what: str, params: dict[str, Any], first: int) -> Iterator[dict[str, Any]]:
        """Items a page at a time: the first Query asks for ``first`` items, the next for
        ``PAGE`` (the common answer is in the first item)."""
        limit = first
        while True:
            self.queries_made += 1
            resp = call(what, self.client.query, Limit=limit, **params)
            for raw in resp.get("Items", []):
                yield deserialize(raw)
            last = resp.get("LastEvaluatedKey")
            if not last:
                return
            params = {**params, "ExclusiveStartKey": last}
            limit = PAGE


def _pk(account_id: str) -> str:
    return account_pk(check_id(account_id, "account"))


class AsOfReads:
    """Point-in-time answers, statements and the account list, from an ``AsOfSource``: the
    ledger table and its GSI1, or the in-memory twin."""

    def __init__(self, client: Any, table: str, source: AsOfSource | None = None) -> None:
        self.client = client
        self.table = table
        self.source: AsOfSource = source or DynamoAsOfSource(client, table)

    @property
    def queries_made(self) -> int:
        """Queries made so far by the as-of reads (the tests pin what a read costs)."""
        return int(getattr(self.source, "queries_made", 0))

    def balance_at(
        self, account_id: str, at: datetime, known_at: datetime | None = None
    ) -> AsOf | None:
        """The balance as of ``at`` (None: the account was not open then)."""
        check_id(account_id, "account")
        return answer_as_of(self.source, account_id, at, known_at)

    def balances_at(
        self, account_id: str, instants: Sequence[datetime]
    ) -> tuple[str, dict[datetime, int | None]] | None:
        """Several instants of one account at the cost of one (end-of-day figures)."""
        return balances_as_of(self.source, account_id, instants)

    def opening(self, account_id: str, day: str) -> int:
        """The balance as of the start of ``day`` (a statement's opening)."""
        start = datetime.fromisoformat(f"{day}T00:00:00+00:00")
        found = balances_as_of(self.source, account_id, [start - TICK])
        return (found[1][start - TICK] or 0) if found is not None else 0

    def in_range(self, account_id: str, first: str, last: str) -> Iterator[dict[str, Any]]:
        """The money events of ``first..last`` in index order, a page at a time."""
        return self.source.in_range(account_id, first, last)

    def accounts(self) -> Iterator[str]:
        """Every account of the log, streamed."""
        return self.source.accounts()

    def statement(self, account_id: str, date_from: str, date_to: str, currency: str) -> Statement:
        """Opening (the balance as of the range's start), then the range's entries."""
        first, last = parse_range(date_from, date_to)
        opening = self.opening(account_id, first)
        items = self.in_range(account_id, first, last)
        return build_statement(
            account_id, currency, date_from=first, date_to=last, opening=opening, items=items
        )
