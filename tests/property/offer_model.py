"""The pure model of offers for ``OfferMachine``: what each offer command must answer.

Rules it encodes (the DESIGN's, not the product's code): an offer id is claimed once (same
payload again: duplicate; other payload: rejected); an offer is sent and answered on or before
its last day only; a send creates each relationship once and never resets it; a response only
from PENDING, at most one per relationship (the same answer again: duplicate; another:
rejected); unknown offers and customers are rejected and write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: the machine's customers and their special statuses (C4 is never registered)
CUSTOMERS: dict[str, frozenset[str]] = {
    "C1": frozenset({"veteran"}),
    "C2": frozenset({"veteran", "student"}),
    "C3": frozenset(),
}
UNKNOWN = "C4"


@dataclass
class Rel:
    status: str = "PENDING"
    responded_at: str | None = None


@dataclass
class OfferModel:
    today: date
    offers: dict[str, tuple[date, str]] = field(default_factory=dict)  # id -> (expiry, terms)
    rels: dict[tuple[str, str], Rel] = field(default_factory=dict)

    def _live(self, offer_id: str) -> bool:
        return offer_id in self.offers and self.today <= self.offers[offer_id][0]

    def predict_create(self, cmd: dict[str, Any]) -> str:
        known = self.offers.get(cmd["offer_id"])
        if known is None:
            return "created"
        same = known == (date.fromisoformat(cmd["expires_on"]), cmd["terms"])
        return "duplicate" if same else "rejected"

    def record_create(self, cmd: dict[str, Any], status: str) -> None:
        if status == "created":
            self.offers[cmd["offer_id"]] = (date.fromisoformat(cmd["expires_on"]), cmd["terms"])

    def audience(self, cmd: dict[str, Any]) -> list[str] | None:
        """The customers a send reaches; None when it must be rejected."""
        if not self._live(cmd["offer_id"]):
            return None
        if "customer_ids" in cmd:
            ids = list(dict.fromkeys(cmd["customer_ids"]))
            return None if any(c not in CUSTOMERS for c in ids) else ids
        return [c for c, s in CUSTOMERS.items() if cmd["special_status"] in s]

    def predict_send(self, cmd: dict[str, Any]) -> tuple[str, int, int]:
        """(status, sent, already_sent)."""
        targets = self.audience(cmd)
        if targets is None:
            return "rejected", 0, 0
        new = [c for c in targets if (c, cmd["offer_id"]) not in self.rels]
        return "sent", len(new), len(targets) - len(new)

    def record_send(self, cmd: dict[str, Any]) -> None:
        for customer in self.audience(cmd) or []:
            self.rels.setdefault((customer, cmd["offer_id"]), Rel())

    def predict_respond(self, cmd: dict[str, Any]) -> str:
        rel = self.rels.get((cmd["customer_id"], cmd["offer_id"]))
        if not self._live(cmd["offer_id"]) or rel is None:
            return "rejected"
        if rel.status == "PENDING":
            return "responded"
        return "duplicate" if rel.status == cmd["response"] else "rejected"

    def record_response(self, customer: str, offer_id: str, response: str, at: str) -> None:
        rel = self.rels[(customer, offer_id)]
        assert rel.status == "PENDING", "the model records one response per relationship"
        rel.status, rel.responded_at = response, at
