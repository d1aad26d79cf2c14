"""``send_offer`` by ``min_balance``: the customers with an account whose balance is at least
an amount, found where balances are: the balance read model (``projections``), joined with
each account's customer (the offer store's ``customer_of_account``).

The write side (``processor``) cannot import the read side, so the composition root plugs this
into the ``OfferService``. It reads every balance item (a Scan of the views table, filtered:
a marketing batch, not a user-facing query; DynamoDB bills the items read, so the cost is the
views table's size) and one GSI_Inverted Query per matching account. Balances are as of the
last projection run: a balance the projector has not applied yet does not count.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from processor.offers.ports import OfferStore
from projections.items import BALANCE
from projections.ports import ViewStore


@dataclass
class BalanceAudience:
    views: ViewStore
    offers: OfferStore

    def __call__(self, min_minor: int, currency: str) -> Iterator[str]:
        """Each customer once, with an account in ``currency`` at ``min_minor`` or more."""
        seen: set[str] = set()
        for item in self.views.scan(BALANCE):
            balance = item.get("balance")
            if item.get("currency") != currency or not isinstance(balance, int | Decimal):
                continue
            if int(balance) < min_minor:
                continue
            customer = self.offers.customer_of_account(str(item["account_id"]))
            if customer is not None and customer not in seen:
                seen.add(customer)
                yield customer
