"""The loyalty projector: folds a member account's ledger events into the member view.

It reads the log from the view's seq on (the strongly consistent event store), so it is
idempotent under stream redelivery and heals gaps by itself; ``project`` is its stream sink
(a batch of ledger events -> the members they touch caught up).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from acme_base.errors import ContentionExhausted
from apps.loyalty.model import MemberView, fold, member_account, user_of_account
from apps.loyalty.ports import LoyaltyStore
from apps.loyalty.rules import LoyaltyRules
from processor.domain.events import LedgerEvent
from processor.storage.ports import EventReader

ATTEMPTS = 64


@dataclass
class LoyaltyProjector:
    store: LoyaltyStore
    events: EventReader
    rules: LoyaltyRules

    def catch_up(self, user_id: str, known: MemberView | None = None) -> MemberView | None:
        """Fold the member's new events into its view and store it (None: no account).

        ``known``: the view just read from the store (seq -1: none stored), saving the first
        read; the save is conditional on its seq all the same.
        A lost save means another projector stored a newer view: when it reaches as far as
        ours, the work is done; else fold again from it (each loss is someone's progress)."""
        for attempt in range(ATTEMPTS):
            if attempt == 0 and known is not None:
                current = known if known.seq >= 0 else None
            else:
                current = self.store.member(user_id)
            start = current if current is not None else MemberView(user_id)
            new = self.events.events(member_account(user_id), from_seq=start.seq + 1)
            folded = fold(start, new, self.rules)
            if folded.view.seq == start.seq:
                return current
            expected = None if current is None else current.seq
            if self.store.save(folded.view, expected, folded.tier_changes, folded.orders):
                return folded.view
            stored = self.store.member(user_id)
            if stored is not None and stored.seq >= folded.view.seq:
                return stored
        raise ContentionExhausted(f"loyalty view of {user_id}: {ATTEMPTS} writers raced")

    def current(self, view: MemberView) -> MemberView:
        """``view`` with the events past it folded in, not stored (the tier an EARN uses:
        never a lagging copy)."""
        new = self.events.events(member_account(view.user_id), from_seq=view.seq + 1)
        return fold(view, new, self.rules).view

    def project(self, events: Iterable[LedgerEvent]) -> list[str]:
        """The stream sink: catch up every member these events touch; returns their ids."""
        users = sorted({u for e in events if (u := user_of_account(e.account_id))})
        for user_id in users:
            self.catch_up(user_id)
        return users
