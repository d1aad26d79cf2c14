"""The pure model of customers the customer state machine checks the real store against.

It restates the rules without calling the product: phone spellings map to E.164 by a table
written here (not by ``phonenumbers``), states are upper-cased and stripped; a phone belongs
to at most one customer; a registration is ``registered`` once, then ``duplicate`` for the same
payload (spelling aside) and ``rejected`` for another; an update of an unknown customer, or to
another customer's phone, is ``rejected``; an update that changes nothing writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

#: phone spellings -> E.164 (None: not a valid phone)
PHONES: dict[str, str | None] = {
    "+12125550101": "+12125550101",
    "(212) 555-0101": "+12125550101",
    "212.555.0101": "+12125550101",
    "+14155550102": "+14155550102",
    "+1 (415) 555-0102": "+14155550102",
    "+13125550103": "+13125550103",
    "312-555-0103": "+13125550103",
    "+442071838750": "+442071838750",
    "+44 20 7183 8750": "+442071838750",
    "212-555-01": None,
    "+1555": None,
}
STATES: dict[str, str | None] = {"NY": "NY", "ca": "CA", " TX ": "TX", "PR": "PR", "ZZ": None}
STATUSES = ("veteran", "handicap", "student")


@dataclass(frozen=True)
class ModelCustomer:
    name: str
    phone: str
    state: str
    statuses: frozenset[str]
    version: int = 1


def _registered(cmd: dict[str, Any]) -> ModelCustomer | None:
    """The customer a registration describes (None: invalid input)."""
    phone, state = PHONES.get(cmd["phone"]), STATES.get(cmd["state"])
    if phone is None or state is None:
        return None
    return ModelCustomer(cmd["name"].strip(), phone, state, frozenset(cmd["special_status"]))


@dataclass
class CustomerModel:
    customers: dict[str, ModelCustomer] = field(default_factory=dict)
    registrations: dict[str, ModelCustomer] = field(default_factory=dict)  # as first registered
    accounts: dict[str, str] = field(default_factory=dict)  # account -> customer

    def owner(self, phone: str) -> str | None:
        return next((c for c, m in self.customers.items() if m.phone == phone), None)

    # --- registration -----------------------------------------------------------------------

    def predict_register(self, cmd: dict[str, Any]) -> str:
        new = _registered(cmd)
        if new is None:
            return "rejected"
        first = self.registrations.get(cmd["customer_id"])
        if first is not None:
            return "duplicate" if first == new else "rejected"
        return "rejected" if self.owner(new.phone) is not None else "registered"

    def record_register(self, cmd: dict[str, Any], status: str) -> None:
        new = _registered(cmd)
        if status == "registered" and new is not None:
            self.customers[cmd["customer_id"]] = new
            self.registrations[cmd["customer_id"]] = new

    # --- updates ----------------------------------------------------------------------------

    def apply_update(self, cmd: dict[str, Any]) -> tuple[str, ModelCustomer | None]:
        """The status an update gets alone, and the customer after it (None: unchanged)."""
        before = self.customers.get(cmd["customer_id"])
        phone = PHONES.get(cmd["phone"]) if "phone" in cmd else None
        state = STATES.get(cmd["state"]) if "state" in cmd else None
        if before is None or ("phone" in cmd and phone is None) or ("state" in cmd and not state):
            return "rejected", None
        if phone is not None and self.owner(phone) not in {None, cmd["customer_id"]}:
            return "rejected", None
        after = replace(
            before,
            name=cmd["name"].strip() if "name" in cmd else before.name,
            phone=phone or before.phone,
            state=state or before.state,
            statuses=(before.statuses | set(cmd.get("add_special_status", ())))
            - set(cmd.get("remove_special_status", ())),
        )
        if after == before:
            return "updated", None
        return "updated", replace(after, version=before.version + 1)

    def record_update(self, cmd: dict[str, Any], after: ModelCustomer | None) -> None:
        if after is not None:
            self.customers[cmd["customer_id"]] = after

    # --- openings -----------------------------------------------------------------------------

    def predict_open(self, account: str, customer: str) -> str:
        """An account needs a registered customer (that check wins); then the id is claimed
        once: the same opening again is a ``duplicate``, another customer's ``rejected``."""
        if customer not in self.customers:
            return "rejected"
        owner = self.accounts.get(account)
        if owner is None:
            return "opened"
        return "duplicate" if owner == customer else "rejected"
