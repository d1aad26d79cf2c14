"""``BankQueries``: every read access pattern of the bank on the ledger table.

Each pattern is one ``GetItem`` or one ``Query`` (the key conditions are in
``processor.storage.query_specs``); never a ``Scan``. Long results come a page at a time with an
opaque ``--next`` token (``processor.storage.paging``). Two patterns read several partitions and
merge them lazily, a page per partition at a time, never all in memory: #12 (the day's 8
write shards of GSI2, merged by ``GSI2SK``) and #13 (one partition per decline reason of the
sparse index, merged by ``txn_date``). Reads are eventually consistent (half the read
capacity): these are analysts' and customers' reads, not the write path's.

All DynamoDB I/O goes through ``acme_base.aws`` (the one botocore boundary).
"""

from __future__ import annotations

import heapq
import json
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from acme_base.aws import call, deserialize, serialize
from acme_base.errors import InvalidInput
from acme_base.keys import account_pk, resolution_claim, seq_sk, txn_pk
from processor.domain.events import DeclineReason
from processor.domain.money import format_minor
from processor.domain.outcomes import Outcome
from processor.reads.query_rows import account_row, customer_row, txn_row
from processor.storage import query_specs as specs
from processor.storage.codec import item_to_event
from processor.storage.paging import (
    DONE,
    Cursor,
    Key,
    Page,
    check_limit,
    decode_token,
    encode_token,
)
from processor.storage.query_specs import KeyQuery
from processor.storage.txn_details import LinkedDetails, TxnDetails, details_from_item, details_of

STREAM_PAGE = 1000  # items per Query while streaming a merged pattern (#12, #13)


class UnknownId(InvalidInput):
    """A query names a customer, account, phone or txn the bank does not have (exit 2)."""


@dataclass
class BankQueries:
    """The read side of the ledger table's access patterns (see the module docstring)."""

    client: Any
    table: str

    # --- customers ----------------------------------------------------------------------

    def customer(self, customer_id: str) -> dict[str, Any] | None:
        """A customer by id: one GetItem."""
        item = self._get(specs.customer_key(customer_id), "read customer")
        return customer_row(item) if item and item.get("entity") == "customer" else None

    def customer_by_phone(self, phone: str) -> dict[str, Any] | None:
        """#2: one Query of GSI1 (the phone normalised to E.164 first)."""
        page = self._page(specs.customer_by_phone(phone), "by-phone", 1, None)
        return customer_row(page.items[0]) if page.items else None

    def customers_by_state(self, state: str, limit: int = 100, token: str | None = None) -> Page:
        """#3: GSI2 ``STATE#<code>``, a page of customers."""
        query = specs.customers_by_state(state)
        return self._rows(self._page(query, "by-state", limit, token), customer_row)

    def special_customers(
        self, status: str | None = None, limit: int = 100, token: str | None = None
    ) -> Page:
        """#4: the sparse special-status index (optionally one status), a page."""
        query = specs.special_customers(status)
        return self._rows(self._page(query, f"special|{status}", limit, token), customer_row)

    # --- accounts -----------------------------------------------------------------------

    def account(self, account_id: str) -> dict[str, Any] | None:
        """An account by number (with its customer id): one Query of GSI_Inverted."""
        page = self._page(specs.account_by_number(account_id), "account", 1, None)
        return account_row(page.items[0]) if page.items else None

    def customer_of_account(self, account_id: str) -> dict[str, Any] | None:
        """The customer of an account: GSI_Inverted (the id), then GetItem (the details)."""
        account = self.account(account_id)
        if account is None:
            raise UnknownId(f"unknown account: {account_id!r}")
        return self.customer(account["customer_id"]) or {
            "customer_id": account["customer_id"]
        }  # an account opened before customers were registered: the id only

    def accounts_of(self, customer_id: str, limit: int = 100, token: str | None = None) -> Page:
        """A customer's accounts: one Query of the table (an empty first page also checks
        that the customer exists, with one GetItem)."""
        query = specs.accounts_of_customer(customer_id)
        page = self._rows(self._page(query, "accounts", limit, token), account_row)
        if not page.items and token is None and self.customer(customer_id) is None:
            raise UnknownId(f"unknown customer: {customer_id!r}")
        return page

    # --- transactions -------------------------------------------------------------------

    def last_txns(self, account_id: str, n: int = 10, token: str | None = None) -> Page:
        """#9: the last ``n`` transactions of an account, newest first."""
        page = self._rows(self._page(specs.last_txns(account_id), "last", n, token), txn_row)
        return self._known_account(account_id, page, token)

    def txns_between(
        self,
        account_id: str,
        date_from: str,
        date_to: str,
        limit: int = 100,
        token: str | None = None,
    ) -> Page:
        """#11: an account's transactions with ``date_from <= txn_date <= date_to`` (GSI1)."""
        query = specs.txns_in_range(account_id, date_from, date_to)
        query_id = f"range|{date_from}|{date_to}"
        page = self._rows(self._page(query, query_id, limit, token), txn_row)
        return self._known_account(account_id, page, token)

    def txn(self, txn_id: str) -> TxnDetails | LinkedDetails:
        """#10: a transaction by its number, full details: one GetItem of ``TXN#<id>``; a
        linked batch: its outcome and each leg's details (one GetItem per leg)."""
        item = self._get(specs.txn_key(txn_id), "read txn")
        if item is None:
            raise UnknownId(f"unknown txn: {txn_id!r}")
        details = details_from_item(item)
        if details is not None:
            return self._with_settlement(details)
        outcome = Outcome.model_validate(json.loads(str(item["outcome"])))
        if outcome.legs is not None:
            return self._linked(outcome)
        return self._legacy_details(item)

    def _with_settlement(self, details: TxnDetails) -> TxnDetails:
        """A pending: how it was settled, from its resolution claim (one more GetItem) and,
        for a post, the post's record: ``settled`` = status, by whom, posted and released."""
        if details.legs[0].event_type != "PendingPlaced":
            return details
        claim_pk = txn_pk(resolution_claim(details.txn_id))  # "#" in it: not a client's id
        claim = self._get({"PK": claim_pk, "SK": claim_pk}, "read resolution")
        if claim is None or "outcome" not in claim:  # the open pending's marker, or nothing
            return replace(details, extra={**details.extra, "settled": None})
        outcome = Outcome.model_validate(json.loads(str(claim["outcome"])))
        posted = 0
        if outcome.status == "posted" and outcome.txn_id:
            post = self._get(specs.txn_key(outcome.txn_id), "read post")
            post_details = None if post is None else details_from_item(post)
            posted = 0 if post_details is None else post_details.amount
        money = details.currency
        settled = {
            "status": outcome.status,
            "by": outcome.txn_id,
            "posted": format_minor(posted, money),
            "released": format_minor(details.amount - posted, money),
        }
        return replace(details, extra={**details.extra, "settled": settled})

    def _linked(self, outcome: Outcome) -> LinkedDetails:
        """A linked batch: each leg as recorded (a declined batch records only the leg that
        declined it; the others are shown by their outcome, with nothing written)."""
        legs: list[dict[str, Any]] = []
        for leg in outcome.legs or []:
            leg_id = str(leg.get("txn_id"))
            found = self._get(specs.txn_key(leg_id), "read txn leg")
            details = None if found is None else details_from_item(found)
            legs.append(leg if details is None else details.to_json())
        return LinkedDetails(outcome, legs)

    def txns_of_day(self, day: str, limit: int = 100, token: str | None = None) -> Page:
        """#12, a page: every transaction of ``day`` across GSI2's write shards."""
        merge = self._merge(specs.txns_of_day(day), f"day|{day}", "GSI2SK", token, limit)
        rows = [txn_row(item) for item in merge.take(check_limit(limit))]
        return Page(rows, merge.token())

    def stream_day(self, day: str) -> Iterator[dict[str, Any]]:
        """#12, streamed: every transaction of ``day``, read a page per shard at a time."""
        merge = self._merge(specs.txns_of_day(day), f"day|{day}", "GSI2SK", None, STREAM_PAGE)
        return (txn_row(item) for item in merge.take(None))

    def declined(
        self,
        date_from: str,
        date_to: str,
        limit: int = 100,
        token: str | None = None,
        reasons: Sequence[str] | None = None,
    ) -> Page:
        """#13: declined transactions in a date range, every reason (one query per reason of
        ``DeclineReason``, merged by ``txn_date``), from the ledger's own sparse index."""
        codes = list(reasons) if reasons is not None else [r.value for r in DeclineReason]
        queries = specs.declined_in_range(codes, date_from, date_to)
        query_id = f"declined|{date_from}|{date_to}|{','.join(codes)}"
        merge = self._merge(queries, query_id, "txn_date", token, limit)
        rows = [txn_row(item) for item in merge.take(check_limit(limit))]
        return Page(rows, merge.token())

    def stream_declined(
        self, date_from: str, date_to: str, reasons: Sequence[str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """#13, streamed: every page of ``declined`` in date order."""
        codes = list(reasons) if reasons is not None else [r.value for r in DeclineReason]
        queries = specs.declined_in_range(codes, date_from, date_to)
        merge = self._merge(queries, "declined-stream", "txn_date", None, STREAM_PAGE)
        return (txn_row(item) for item in merge.take(None))

    # --- plumbing -----------------------------------------------------------------------

    def _get(self, key: Key, what: str) -> dict[str, Any] | None:
        resp = call(what, self.client.get_item, TableName=self.table, Key=serialize(key))
        item = resp.get("Item")
        return deserialize(item) if item else None

    def _read(
        self, query: KeyQuery, limit: int, start: Key | None
    ) -> tuple[list[dict[str, Any]], Key | None]:
        """One Query call: its items and its ``LastEvaluatedKey`` (plain)."""
        params = query.params()
        params["ExpressionAttributeValues"] = serialize(params["ExpressionAttributeValues"])
        if start is not None:
            params["ExclusiveStartKey"] = serialize(start)
        resp = call(
            f"query {query.index or 'table'}",
            self.client.query,
            TableName=self.table,
            Limit=limit,
            **params,
        )
        last = resp.get("LastEvaluatedKey")
        lek = {k: str(v) for k, v in deserialize(last).items()} if last else None
        return [deserialize(i) for i in resp.get("Items", [])], lek

    def _page(self, query: KeyQuery, name: str, limit: int, token: str | None) -> Page:
        query_id = f"{name}|{query.partition.value}"
        start = decode_token(token, query_id, [query.partition])[0] if token else None
        items, lek = self._read(
            query, check_limit(limit), start if isinstance(start, dict) else None
        )
        return Page(items, encode_token(query_id, [lek]) if lek else None)

    @staticmethod
    def _rows(page: Page, row: Callable[[dict[str, Any]], dict[str, Any]]) -> Page:
        return Page([row(item) for item in page.items], page.next_token)

    def _known_account(self, account_id: str, page: Page, token: str | None) -> Page:
        if not page.items and token is None and self.account(account_id) is None:
            raise UnknownId(f"unknown account: {account_id!r}")
        return page

    def _merge(
        self, queries: list[KeyQuery], query_id: str, sort: str, token: str | None, size: int
    ) -> _Merge:
        partitions = [q.partition for q in queries]
        cursors = decode_token(token, query_id, partitions) if token else [None] * len(queries)
        feeds = [
            _Feed(query, cursor, lambda q, start: self._read(q, check_limit(size), start))
            for query, cursor in zip(queries, cursors, strict=True)
        ]
        return _Merge(feeds, sort, query_id)

    def _legacy_details(self, item: dict[str, Any]) -> TxnDetails:
        """A record written before records carried details: read the events it names."""
        outcome = Outcome.model_validate(json.loads(str(item["outcome"])))
        events = []
        for account, seq in (
            (outcome.account_id, outcome.seq),
            (outcome.to_account, outcome.to_seq),
        ):
            if account and seq is not None:
                event = self._get({"PK": account_pk(account), "SK": seq_sk(seq)}, "read event")
                if event is not None:
                    events.append(item_to_event(event))
        if not events:
            raise UnknownId(f"txn {item.get('txn_id')!r} has no events")
        return details_of(events)


Reader = Callable[[KeyQuery, Key | None], tuple[list[dict[str, Any]], Key | None]]


@dataclass
class _Feed:
    """One partition of a merged read: a page at a time, and its cursor (see ``paging``)."""

    query: KeyQuery
    cursor: Cursor
    read: Reader
    buffer: deque[dict[str, Any]] = field(default_factory=deque)
    read_all: bool = False

    def __post_init__(self) -> None:
        self.read_all = self.cursor == DONE
        self._next: Key | None = self.cursor if isinstance(self.cursor, dict) else None

    def pop(self) -> dict[str, Any] | None:
        while not self.buffer:
            if self.read_all:
                return None
            items, self._next = self.read(self.query, self._next)
            self.buffer.extend(items)
            self.read_all = self._next is None
        return self.buffer.popleft()


@dataclass
class _Merge:
    """A k-way merge of feeds by one attribute; ``token()`` resumes after the last item taken."""

    feeds: list[_Feed]
    sort: str
    query_id: str
    _heap: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    _primed: bool = False

    def _push(self, i: int) -> None:
        item = self.feeds[i].pop()
        if item is not None:
            heapq.heappush(self._heap, (str(item.get(self.sort, "")), i, item))

    def take(self, limit: int | None) -> Iterator[dict[str, Any]]:
        if not self._primed:
            self._primed = True
            for i in range(len(self.feeds)):
                self._push(i)
        taken = 0
        while self._heap and (limit is None or taken < limit):
            _, i, item = heapq.heappop(self._heap)
            feed = self.feeds[i]
            feed.cursor = feed.query.partition.key_of(item)
            taken += 1
            yield item
            self._push(i)

    def token(self) -> str | None:
        waiting = {i for _, i, _ in self._heap}
        cursors: list[Cursor] = [
            DONE if f.read_all and not f.buffer and i not in waiting else f.cursor
            for i, f in enumerate(self.feeds)
        ]
        return encode_token(self.query_id, cursors)
