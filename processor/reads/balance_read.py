"""One balance document for every reader: ``acme-txn balance`` and ``GET /accounts/{id}/balance``.

``balance_of`` is pure: it takes the account's head state (one strongly consistent read of
the event log) and, when the balances projection has the account, its view. ``balance`` is
the posted balance from the ledger's head by default (``source`` ``ledger``), with the
projected balance and its lag beside it (``projection``); ``source`` ``projection`` answers
from the projection and says why it differs from ``posted`` (``note``). Everything else
comes from the head: ``posted``, ``pending_debits``, ``pending_credits``, ``available``
(None: no floor), the limits, and the ``blocked``/``frozen`` and ``closed`` flags.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from acme_base.errors import UnknownAccount
from processor.domain.account_state import AccountState
from processor.domain.money import format_minor
from processor.domain.pending import balance_fields
from processor.reads.rules_json import limits_json


class PostedView(Protocol):
    """What a projected balance gives (``projections.model.BalanceView`` is one)."""

    @property
    def account_id(self) -> str: ...
    @property
    def balance(self) -> int: ...
    @property
    def applied_seq(self) -> int: ...
    @property
    def currency(self) -> str: ...


def head_fields(state: AccountState, now: datetime) -> dict[str, Any]:
    """What only the head knows: the pending sums, available, limits and flags."""
    return {
        **balance_fields(state, now),
        "limits": limits_json(state.limits, state.currency),
        "blocked": state.blocked,
        "frozen": state.blocked,
        "closed": state.closed,
    }


#: where ``balance`` comes from: the ledger's head (default) or the balances projection
SOURCES = ("ledger", "projection")


def balance_of(
    account_id: str,
    state: AccountState | None,
    now: datetime,
    view: PostedView | None = None,
    source: str = "ledger",
) -> dict[str, Any]:
    """The balance document of ``account_id``.

    ``source`` ``ledger``: ``balance`` is the head's posted balance (one strongly consistent
    read: what was just written), and ``projection`` shows the projected balance and how
    many events it is behind. ``source`` ``projection``: ``balance`` is the projection's,
    and ``note`` says why it differs from ``posted`` when it does. Without a head (no such
    account): ``UnknownAccount``."""
    if state is None:
        raise UnknownAccount(account_id)
    behind = None if view is None else max(0, state.seq - view.applied_seq)
    projected = (
        None
        if view is None
        else {
            "balance": format_minor(view.balance, view.currency),
            "applied_seq": view.applied_seq,
            "behind_by": behind,
        }
    )
    data: dict[str, Any] = {
        "account_id": state.account_id,
        "balance": format_minor(state.balance, state.currency),
        "applied_seq": state.seq,
        "currency": state.currency,
        "source": "ledger",
        "projection": projected,
    }
    if source == "projection":
        if view is None:
            data["note"] = "not projected yet: the balance is the ledger's"
        else:
            data |= {"balance": projected["balance"] if projected else data["balance"],
                     "applied_seq": view.applied_seq, "source": "projection"}  # fmt: skip
            if behind:
                data["note"] = (
                    f"the projection is {behind} event{'s' if behind != 1 else ''} behind "
                    f"the ledger (posted is the ledger's head)"
                )
    return {**data, **head_fields(state, now)}
