"""The offer commands' rules: create, send, respond (pure: storage is the ``OfferStore`` port).

- ``create_offer`` claims the id; the same payload again is a ``duplicate`` (the original
  outcome), another payload under a taken id is ``rejected``.
- ``send_offer`` resolves its audience (the ids given, all checked first so an unknown one
  writes nothing; the sparse special-status index; or the customers with a balance of at least
  ``min_balance``, from ``balance_audience``, which the composition root plugs in because
  balances live on the read side) and creates each relationship once: resending counts
  ``already_sent`` and never resets a response. An expired offer is not sent.
- ``respond_offer`` moves a relationship from ``PENDING`` once (conditional in the store, so
  concurrent answers have one winner); the same answer again is a ``duplicate``, another one
  ``rejected``; after the offer's last day every response is ``rejected``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel

from acme_base.errors import ConfigError, InvalidInput
from processor.domain.money import to_minor
from processor.domain.outcomes import Outcome
from processor.domain.registry import Registry
from processor.offers.commands import (
    OFFER_COMMANDS,
    CreateOffer,
    OfferCommand,
    RespondOffer,
    SendOffer,
)
from processor.offers.model import (
    PENDING,
    CustomerOffer,
    Offer,
    OfferExpired,
    UnknownCustomers,
    UnknownOffer,
    is_expired,
)
from processor.offers.ports import NotPending, OfferStore, OfferTaken

#: (minimum balance in minor units, currency) -> the ids of customers with such an account
BalanceAudience = Callable[[int, str], Iterable[str]]


class OfferOutcome(Outcome):
    """An offer command's outcome line: the ledger's fields plus the offer's."""

    offer_id: str | None = None
    customer_id: str | None = None
    expires_on: str | None = None
    response: str | None = None
    responded_at: str | None = None
    sent: int | None = None
    already_sent: int | None = None


Handler = Callable[["OfferService", Any, datetime], Outcome]


@dataclass
class OfferService:
    store: OfferStore
    balance_audience: BalanceAudience | None = None
    #: every offer command's class -> its method (looked up on the service when it runs),
    #: checked exhaustive over the offers' types (``processor.domain.registry``)
    HANDLERS: ClassVar[Mapping[type[BaseModel], Handler]] = Registry(OFFER_COMMANDS).cover(
        {
            CreateOffer: lambda service, cmd, now: service._create(cmd, now),
            SendOffer: lambda service, cmd, now: service._send(cmd, now),
            RespondOffer: lambda service, cmd, now: service._respond(cmd, now),
        }
    )

    def handle(self, cmd: OfferCommand, now: datetime) -> Outcome:
        """Run one offer command; bad input is ``rejected`` (nothing written)."""
        try:
            return self.HANDLERS[type(cmd)](self, cmd, now)
        except InvalidInput as exc:
            return OfferOutcome(
                status="rejected",
                offer_id=cmd.offer_id,
                customer_id=getattr(cmd, "customer_id", None),
                error=str(exc),
            )

    # --- create ---------------------------------------------------------------------------

    def _create(self, cmd: CreateOffer, now: datetime) -> Outcome:
        offer = Offer(
            offer_id=cmd.offer_id,
            expires_on=cmd.expires_on,
            details=cmd.details,
            terms=cmd.terms,
            fingerprint=cmd.fingerprint(),
            created_at=now.astimezone(UTC).isoformat(),
        )
        created = OfferOutcome(
            status="created", offer_id=offer.offer_id, expires_on=offer.expires_on.isoformat()
        )
        try:
            self.store.create(offer)
        except OfferTaken as taken:
            if taken.existing.fingerprint != offer.fingerprint:
                raise InvalidInput(
                    f"offer id {cmd.offer_id!r} already exists with other details, terms or "
                    "expiry; pick the next number or resend the original payload"
                ) from taken
            return created.model_copy(update={"status": "duplicate", "original_status": "created"})
        return created

    # --- send -----------------------------------------------------------------------------

    def _send(self, cmd: SendOffer, now: datetime) -> Outcome:
        offer = self._live_offer(cmd.offer_id, now, "not sent")
        sent = already = 0
        for customer_id in self._audience(cmd):
            relationship = CustomerOffer(
                customer_id=customer_id,
                offer_id=offer.offer_id,
                status=PENDING,
                sent_at=now.astimezone(UTC).isoformat(),
                expires_on=offer.expires_on,
            )
            if self.store.send(relationship):
                sent += 1
            else:
                already += 1
        return OfferOutcome(
            status="sent",
            offer_id=offer.offer_id,
            expires_on=offer.expires_on.isoformat(),
            sent=sent,
            already_sent=already,
        )

    def _audience(self, cmd: SendOffer) -> Iterable[str]:
        if cmd.customer_ids is not None:
            ids = cmd.audience()
            missing = self.store.missing_customers(ids)
            if missing:
                raise UnknownCustomers(missing)
            return ids
        if cmd.special_status is not None:
            return self.store.customers_with_status(cmd.special_status)
        if self.balance_audience is None or cmd.min_balance is None:
            raise ConfigError("send_offer by min_balance needs the balance read model")
        return self.balance_audience(to_minor(cmd.min_balance), cmd.currency or "USD")

    # --- respond --------------------------------------------------------------------------

    def _respond(self, cmd: RespondOffer, now: datetime) -> Outcome:
        offer = self._live_offer(cmd.offer_id, now, "responses are no longer taken")
        at = now.astimezone(UTC).isoformat()
        try:
            answered = self.store.respond(
                cmd.customer_id, cmd.offer_id, cmd.response, at, now.astimezone(UTC).date()
            )
        except NotPending as exc:
            return self._not_pending(cmd, offer, exc.current, now)
        return self._answer("responded", answered)

    def _not_pending(
        self, cmd: RespondOffer, offer: Offer, current: CustomerOffer | None, now: datetime
    ) -> Outcome:
        if current is None or not current.visible_at(now):
            if self.store.missing_customers([cmd.customer_id]):
                raise UnknownCustomers([cmd.customer_id])
            raise InvalidInput(f"offer {cmd.offer_id!r} was not sent to {cmd.customer_id!r}")
        if current.status == PENDING:  # the condition failed on the date: expired meanwhile
            raise OfferExpired(offer.offer_id, offer.expires_on, "responses are no longer taken")
        if current.status == cmd.response:
            duplicate = self._answer("duplicate", current)
            return duplicate.model_copy(update={"original_status": "responded"})
        raise InvalidInput(
            f"customer {cmd.customer_id!r} already answered offer {cmd.offer_id!r}: "
            f"{current.status} at {current.responded_at}"
        )

    @staticmethod
    def _answer(status: Any, rel: CustomerOffer) -> OfferOutcome:
        return OfferOutcome(
            status=status,
            offer_id=rel.offer_id,
            customer_id=rel.customer_id,
            expires_on=rel.expires_on.isoformat(),
            response=rel.status,
            responded_at=rel.responded_at,
        )

    def _live_offer(self, offer_id: str, now: datetime, what: str) -> Offer:
        offer = self.store.offer(offer_id)
        if offer is None:
            raise UnknownOffer(offer_id)
        if is_expired(offer.expires_on, now):
            raise OfferExpired(offer_id, offer.expires_on, what)
        return offer
