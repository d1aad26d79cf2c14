"""One balance document for every reader: ``acme-txn balance`` and ``GET /accounts/{id}/balance``.

``balance_of`` is pure: it takes the account's head state (one strongly consistent read of
the event log) and, when the balances projection has the account, its view. ``balance`` is
the posted balance (the field old clients read; from the projection when there is one, so
``applied_seq`` and ``source`` say how fresh it is); everything else comes from the head:
``posted``, ``pending_debits``, ``pending_credits``, ``available`` (None: no floor), the
limits, and the ``blocked``/``frozen`` (one flag, two names) and ``closed`` flags.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from acme_base.errors import UnknownAccount
from processor.account_state import AccountState
from processor.money import format_minor
from processor.pending import balance_fields
from processor.rules_json import limits_json


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


def balance_of(
    account_id: str, state: AccountState | None, now: datetime, view: PostedView | None = None
) -> dict[str, Any]:
    """The balance document of ``account_id``: from ``view`` (``source`` projection) or, when
    the projection has nothing yet, from ``state`` (``source`` events). Neither: unknown."""
    if view is not None:
        data: dict[str, Any] = {
            "account_id": view.account_id,
            "balance": format_minor(view.balance, view.currency),
            "applied_seq": view.applied_seq,
            "currency": view.currency,
            "source": "projection",
        }
    elif state is not None:
        data = {
            "account_id": state.account_id,
            "balance": format_minor(state.balance, state.currency),
            "applied_seq": state.seq,
            "currency": state.currency,
            "source": "events",
        }
    else:
        raise UnknownAccount(account_id)
    return data if state is None else {**data, **head_fields(state, now)}
