"""The read endpoints' JSON, the same documents as ``acme-txn balance|events|txn --json``."""

from __future__ import annotations

import contextlib
from itertools import islice
from typing import Any

from acme_base.errors import InvalidInput, TableMissing, UnknownAccount
from acme_txn.bootstrap import App
from processor.domain.events import HistoryArchived
from processor.reads.balance_read import balance_of
from processor.reads.views import event_json
from processor.services.ledger import utc_now
from processor.storage.paging import MAX_LIMIT

DEFAULT_EVENTS_LIMIT = 100


def balance(app: App, account_id: str) -> dict[str, Any]:
    """From the balance projection; from the event head if the projection has nothing yet
    (``source`` says which), as ``acme-txn balance`` (the same ``balance_of``). Unknown
    account: ``UnknownAccount``."""
    view = None
    with contextlib.suppress(TableMissing):
        view = app.views.balance(account_id)
    return balance_of(account_id, app.event_store.state(account_id), utc_now(), view)


def events_page(app: App, account_id: str, limit: int, next_token: str | None) -> dict[str, Any]:
    """A page of an account's events in seq order: ``{"items", "count", "next_token"}`` (the
    CLI's page shape). The token is the seq to resume from: a plain, stable position in an
    append-only log, so nothing needs sealing."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")
    start = _seq_token(next_token)
    events = list(islice(app.event_store.events(account_id, from_seq=start), limit + 1))
    if not events and start == 0:
        raise UnknownAccount(account_id)
    more = len(events) > limit
    items = [_event_item(e) for e in events[:limit]]
    return {
        "items": items,
        "count": len(items),
        "next_token": str(events[limit].seq) if more else None,
    }


def txn(app: App, txn_id: str) -> dict[str, Any]:
    """``acme-txn txn``'s document (one GetItem); unknown: ``UnknownId``."""
    data: dict[str, Any] = app.queries.txn(txn_id).to_json()
    return data


def _event_item(event: Any) -> dict[str, Any]:
    if isinstance(event, HistoryArchived):  # the live log starts at an archival cut
        return {**event_json(event), "archived_events": event.archived_events}
    return event_json(event)


def _seq_token(token: str | None) -> int:
    if token is None or token == "":
        return 0
    if not token.isdigit() or len(token) > 18:
        raise InvalidInput(f"next token {token!r} is not one this API gave out")
    return int(token)


def owner_of(app: App, account_id: str) -> str | None:
    """The customer an account belongs to (its opening, or the archival snapshot that took
    its place: both keep ``customer_id``); None for an account never opened. One query of
    the account's first event, strongly consistent."""
    first = next(iter(app.event_store.events(account_id, from_seq=0, to_seq=0)), None)
    if first is None:
        first = next(iter(app.event_store.events(account_id, from_seq=0)), None)
    customer = getattr(first, "customer_id", None)
    return str(customer) if customer is not None else None


def txn_owners(app: App, details: dict[str, Any]) -> list[str | None]:
    """The customers of the accounts a transaction's document names."""
    accounts = {details.get("account_id"), details.get("to_account")}
    legs = details.get("events") or ()
    accounts |= {leg.get("account_id") for leg in legs if isinstance(leg, dict)}
    return [owner_of(app, a) for a in accounts if isinstance(a, str)]
