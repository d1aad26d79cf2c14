"""Point-in-time reads of the event log: ``balance --as-of`` and statements.

Both read GSI1, the account's time-ordered index (``GSI1PK = ACCT#<id>``, ``GSI1SK =
<txn_date>#<seq>``): by effective day, then by seq within a day. Every event carries its
``balance_after``, so the balance at an instant is the ``balance_after`` of the last event
at or before it: ONE ``Query ... ScanIndexForward=false, Limit=1`` with ``GSI1SK <=
<day>#~``. Within a day the index orders by seq, not by time; seq order is time order unless
an event was backdated, so when the newest event of the instant's day is after the instant
the read pages back (a page of ``PAGE`` events at a time) through that day's later events only.

A backdated command (``occurred_at`` in the past) gets the account's current seq and lands in
its effective day; its ``balance_after`` includes every event recorded before it, even those
effective after it. The answer then says ``backdated: true`` (the answering event was recorded
after the instant asked about): it is the ledger's running balance at that event, not a
re-fold by effective time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from acme_base.aws import call, deserialize, paginate_items, serialize
from acme_base.errors import InvariantViolation
from acme_base.keys import ACCOUNT_PREFIX, account_pk
from acme_base.tables import GSI1
from processor.codec import item_to_event
from processor.money import format_minor
from processor.pending import available_now, pending_credits, pending_debits
from processor.ports import state_of_head
from processor.query_specs import NO_MONEY, NOT_OPEN, check_id, parse_range
from processor.statements import Statement, build_statement, occurred, pick_as_of

PAGE = 100  # events per Query when a read has to page (statement entries, a backdated day)


@dataclass(frozen=True)
class AsOf:
    """An account's posted balance at an instant, from the event that answers it."""

    account_id: str
    at: datetime
    balance: int  # minor units
    currency: str
    seq: int
    occurred_at: str
    recorded_at: str | None
    backdated: bool
    #: the open pendings the answering event carries, live at ``at`` (one expired by then
    #: counts as released, as at decide time), and what was available (None: no floor)
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


@dataclass
class AsOfReads:
    """GSI1 reads for point-in-time answers (eventually consistent, as the bank's queries)."""

    client: Any
    table: str
    queries_made: int = 0  # Query calls made so far (the tests pin "one query")

    def balance_at(self, account_id: str, at: datetime) -> AsOf | None:
        """The balance at ``at`` (None: the account had no event by then)."""
        hi = f"{at.date().isoformat()}#~"
        item = pick_as_of(self._items(account_id, "GSI1SK <= :hi", {":hi": hi}, forward=False), at)
        return None if item is None else _as_of(item, at)

    def last_before(self, account_id: str, day: str) -> dict[str, Any] | None:
        """The last event effective before ``day`` (for a statement's opening): one Query."""
        items = self._items(account_id, "GSI1SK < :lo", {":lo": f"{day}#"}, forward=False, page=1)
        return next(items, None)

    def in_range(self, account_id: str, first: str, last: str) -> Iterator[dict[str, Any]]:
        """The money events of ``first..last`` in index order, a page at a time."""
        return self._items(
            account_id,
            "GSI1SK BETWEEN :lo AND :hi",
            {":lo": f"{first}#", ":hi": f"{last}#~", **NO_MONEY},
            forward=True,
            filter_=NOT_OPEN,
        )

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

    def statement(self, account_id: str, date_from: str, date_to: str, currency: str) -> Statement:
        first, last = parse_range(date_from, date_to)
        opening = self.last_before(account_id, first)
        items = self.in_range(account_id, first, last)
        return build_statement(
            account_id, currency, date_from=first, date_to=last, opening_item=opening, items=items
        )

    def _items(
        self,
        account_id: str,
        condition: str,
        values: dict[str, str],
        *,
        forward: bool,
        filter_: str | None = None,
        page: int = 1,
    ) -> Iterator[dict[str, Any]]:
        """Items of the account's GSI1 partition: the first Query asks for ``page`` items
        (1: the common single-item answer), the next ones for ``PAGE``."""
        params: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": GSI1,
            "KeyConditionExpression": f"GSI1PK = :pk AND {condition}",
            "ExpressionAttributeValues": serialize(
                {":pk": account_pk(check_id(account_id, "account")), **values}
            ),
            "ScanIndexForward": forward,
        }
        if filter_ is not None:
            params["FilterExpression"] = filter_
            params["ExpressionAttributeNames"] = {"#kind": "kind"}
        limit = page if filter_ is None else PAGE
        while True:
            self.queries_made += 1
            resp = call("query GSI1 (as-of)", self.client.query, Limit=limit, **params)
            for raw in resp.get("Items", []):
                yield deserialize(raw)
            last = resp.get("LastEvaluatedKey")
            if not last:
                return
            params["ExclusiveStartKey"] = last
            limit = PAGE


def _as_of(item: Mapping[str, Any], at: datetime) -> AsOf:
    recorded = item.get("recorded_at")
    backdated = recorded is not None and occurred({"occurred_at": recorded}) > at
    # the event carries the account's open pendings and limits, like its balance_after
    state = state_of_head(str(item["account_id"]), item_to_event(dict(item)))
    if state is None:  # never: a decoded event always gives a state
        raise InvariantViolation(f"as-of item of {item['account_id']} gives no state")
    return AsOf(
        account_id=str(item["account_id"]),
        at=at,
        balance=int(item["balance_after"]),
        currency=str(item.get("currency") or "USD"),
        seq=int(item["seq"]),
        occurred_at=str(item["occurred_at"]),
        recorded_at=None if recorded is None else str(recorded),
        backdated=backdated,
        pending_debits=pending_debits(state, at),
        pending_credits=pending_credits(state, at),
        available=available_now(state, at),
    )
