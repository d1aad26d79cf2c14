"""The loyalty application: EARN and REDEEM through the ledger, reads from its views.

Writes go through the engine, not beside it: EARN is a ``credit`` and REDEEM a ``debit`` of the
member's ``PTS`` account whose txn id is the ``transactionId``, so the ledger's idempotency
records answer a repeat (sequential or concurrent) with the first outcome (``duplicate``), its
conditional append keeps the balance exact under races, and a short REDEEM is ``declined``
``low_balance`` (the points never go negative). The points of an EARN use the tier folded from
the log (the projector catches up first), never a lagging copy.

A member's account is opened on its first EARN, under the program's own customer (the ledger
requires a registered customer; members are users of the shop, not bank customers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel

from acme_base.errors import BackendError, ConfigError, InvalidInput
from apps.loyalty.commands import (
    LOYALTY,
    EarnPoints,
    LoyaltyCommand,
    RedeemPoints,
    parse_loyalty,
)
from apps.loyalty.model import KIND_KEY, ORDER_KEY, UNIT, MemberView, member_account
from apps.loyalty.ports import LoyaltyStore, member_row
from apps.loyalty.projector import LoyaltyProjector
from processor.domain.currency import exponent
from processor.domain.money import parse_amount, to_minor
from processor.domain.outcomes import Outcome, as_duplicate, rejected
from processor.services.ledger import Ledger
from processor.storage.paging import Page
from processor.storage.ports import EventStore

#: the EARN command's fingerprint on its credit's metadata (repeats are judged by it)
FINGERPRINT_KEY = "earn_fp"

PROGRAM_CUSTOMER = {
    "type": "register_customer",
    "customer_id": "LOYALTY-PROGRAM",
    "name": "ACME Loyalty Program",
    "phone": "+12125550199",
    "state": "NY",
    "special_status": [],
}


#: ledger event kinds as the seed's history types
HISTORY_TYPE = {"credit": "EARN", "debit": "REDEEM"}


class TxnReads(Protocol):
    """The ledger's read paths the loyalty reads reuse (``processor.reads.queries.BankQueries``)."""

    def last_txns(self, account_id: str, n: int = 10, token: str | None = None) -> Page: ...

    def txn(self, txn_id: str) -> Any: ...


#: a loyalty command's run: its outcome, and the member view it read (to catch up from)
Handler = Callable[["Loyalty", Any], tuple[Outcome, MemberView | None]]


@dataclass
class Loyalty:
    ledger: Ledger
    store: LoyaltyStore
    events: EventStore
    projector: LoyaltyProjector
    reads: TxnReads | None = None  # the ledger's queries (DynamoDB only)
    #: a convenience, not the source of the views: fold the member view right after each
    #: command so the CLI reads its own writes. The views come from the ``apps`` stream
    #: consumer (``acme-txn apps run``, ``lambda_handlers.apps_handler``), which folds the same
    #: log idempotently; the demo and a deployment turn this off.
    sync_projection: bool = True
    #: every loyalty command's class -> its method (looked up on the service when it runs),
    #: checked exhaustive over the loyalty types (``processor.domain.registry``)
    HANDLERS: ClassVar[Mapping[type[BaseModel], Handler]] = LOYALTY.cover(
        {
            EarnPoints: lambda app, cmd: app._earn_member(cmd),
            RedeemPoints: lambda app, cmd: (app._redeem(cmd), None),
        }
    )

    def submit(self, raw: dict[str, Any]) -> Outcome:
        """Parse and run one loyalty command; bad input is ``rejected`` (nothing written)."""
        try:
            return self.execute(parse_loyalty(raw))
        except InvalidInput as exc:
            return rejected(str(exc), txn_id=_text(raw.get("transaction_id")))

    def execute(self, cmd: LoyaltyCommand) -> Outcome:
        try:
            outcome, stored = self.HANDLERS[type(cmd)](self, cmd)
        except InvalidInput as exc:
            account = member_account(cmd.user_id)
            return rejected(str(exc), txn_id=cmd.transaction_id, account_id=account)
        if self.sync_projection:
            self.projector.catch_up(cmd.user_id, stored)
        return outcome

    def _earn_member(self, cmd: EarnPoints) -> tuple[Outcome, MemberView]:
        """An EARN reads the stored view (for its tier); the catch-up starts from it."""
        stored = self.store.member(cmd.user_id) or MemberView(cmd.user_id)
        return self._earn(cmd, stored), stored

    def _earn(self, cmd: EarnPoints, stored: MemberView) -> Outcome:
        account = member_account(cmd.user_id)
        view = self.projector.current(stored)
        minor = to_minor(parse_amount(cmd.amount, cmd.currency), cmd.currency)
        points = self.projector.rules.points_for(minor, exponent(cmd.currency), view.tier)
        if points < 1:  # checked before the enrolment: a rejected EARN writes nothing
            raise InvalidInput(f"order amount {cmd.amount} {cmd.currency} earns no points")
        if view.seq < 0:  # a new member: a used transactionId must not open its account
            known = self.events.idempotency_record(cmd.transaction_id)
            if known is not None:
                return self._repeat(cmd, known.outcome)
            self._enrol(account)
        meta = {KIND_KEY: "EARN", ORDER_KEY: cmd.order_id, "tier": view.tier}
        meta[FINGERPRINT_KEY] = cmd.fingerprint()[:32]
        meta["order_amount"] = f"{cmd.amount} {cmd.currency}"
        if cmd.description:
            meta["description"] = cmd.description
        outcome = self.ledger.submit_raw(
            {"type": "credit", "txn_id": cmd.transaction_id, "account_id": account,
             "amount": str(points), "currency": UNIT, "metadata": meta}
        )  # fmt: skip
        if outcome.status == "rejected":  # a repeat after the tier moved, or a concurrent copy
            won = self.events.idempotency_record(cmd.transaction_id)
            if won is not None:
                return self._repeat(cmd, won.outcome)
        return outcome

    def _repeat(self, cmd: EarnPoints, first: Outcome) -> Outcome:
        """An EARN whose transactionId is taken: the same EARN again is a ``duplicate`` (its
        first outcome); anything else under that id is ``rejected`` (the points of an EARN
        depend on the tier, so its credit cannot be rebuilt to compare: the EARN's own
        fingerprint rides on the credit's metadata instead)."""
        account = member_account(cmd.user_id)
        event = None
        if first.account_id == account and first.seq is not None:
            event = next(iter(self.events.events(account, first.seq, first.seq)), None)
        meta = (event.metadata or {}) if event is not None else {}
        if meta.get(FINGERPRINT_KEY) != cmd.fingerprint()[:32]:
            raise InvalidInput(
                f"transactionId {cmd.transaction_id!r} was already used with another payload"
            )
        return as_duplicate(first)

    def _redeem(self, cmd: RedeemPoints) -> Outcome:
        meta = {KIND_KEY: "REDEEM"}
        if cmd.description:
            meta["description"] = cmd.description
        account = member_account(cmd.user_id)
        return self.ledger.submit_raw(
            {"type": "debit", "txn_id": cmd.transaction_id, "account_id": account,
             "amount": str(cmd.points), "currency": UNIT, "metadata": meta}
        )  # fmt: skip

    def _enrol(self, account: str) -> None:
        """Open the member's PTS account (and the program's customer): called when the fold of
        the log found no event, and the open's conditional append refuses a second opening."""
        self.ledger.submit_raw(dict(PROGRAM_CUSTOMER))  # registered, or already: either is fine
        opened = self.ledger.submit_raw(
            {"type": "open_account", "account_id": account,
             "customer_id": PROGRAM_CUSTOMER["customer_id"], "currency": UNIT}
        )  # fmt: skip
        if opened.status != "opened" and self.events.state(account) is None:
            raise BackendError(f"could not open loyalty account {account}: {opened.error}")

    # --- reads ---------------------------------------------------------------------------

    def balance(self, user_id: str) -> dict[str, Any]:
        """Points and tier: one GetItem on the member view."""
        view = self.store.member(user_id)
        if view is None:
            raise InvalidInput(f"unknown loyalty member: {user_id!r}")
        return member_row(view)

    def history(self, user_id: str, limit: int = 100, token: str | None = None) -> Page:
        """A member's EARNs and REDEEMs, newest first: pages of the ledger's own event log
        (no item grows with the history; the account's opening is left out)."""
        page = self._reads().last_txns(member_account(user_id), limit, token)
        rows = [
            {**row, "type": HISTORY_TYPE[row["kind"]], "user_id": user_id}
            for row in page.items
            if row.get("kind") in HISTORY_TYPE
        ]
        return Page(rows, page.next_token)

    def txn(self, transaction_id: str) -> Any:
        """A loyalty transaction by its ``transactionId`` (one GetItem of the ledger)."""
        details = self._reads().txn(transaction_id)
        if not any(leg.account_id.startswith("PTS-") for leg in details.legs):
            raise InvalidInput(f"{transaction_id!r} is not a loyalty transaction")
        return details

    def by_order(self, order_id: str) -> list[dict[str, Any]]:
        """The EARNs of an order (one Query of the order's index items)."""
        return [vars(entry) for entry in self.store.orders(order_id)]

    def by_tier(self, tier: str, limit: int = 100, token: str | None = None) -> Page:
        """Members of a tier (one Query page of the sparse tier index)."""
        return self.store.members_by_tier(tier, limit, token)

    def _reads(self) -> TxnReads:
        if self.reads is None:
            raise ConfigError("loyalty history needs the ledger's queries (DynamoDB)")
        return self.reads


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
