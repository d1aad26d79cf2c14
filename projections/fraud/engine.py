"""The fraud consumer's logic: a batch of ledger events in, alerts written, the accounts'
profiles advanced; the same alerts whether or not the stream has tumbling windows.

Each account's events are taken in seq order from its profile's ``applied_seq``: an event at
or below it is a redelivery (skipped), one above ``applied_seq + 1`` is a gap, healed by
reading the missing events from the log (archive + live). So every event is evaluated once per
profile, in the account's order, whatever the delivery order, and the rules (pure) raise the
same alerts with the same evidence, hence the same ids, which the store puts once.

Where the profile lives between invocations is the only difference:

- without tumbling windows (``state is None``: Lambda on LocalStack, which ignores
  ``TumblingWindowInSeconds``, or a consumer configured without them) each invocation reads
  the account's profile item and writes it back conditionally on the ``applied_seq`` it read;
  a lost race (``ProfileMoved``) fails the account's records, which are redelivered and find
  the profile moved on.
- with tumbling windows the profiles ride in the window's ``state`` (per shard, across the
  window's invocations, read from the store once per window) and are written back, with the
  same condition, on the window's final invocation. A state lost with a crashed poller leaves
  the stored profiles behind: the next events find a gap and heal it from the log.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from processor.domain.events import LedgerEvent
from processor.storage.ports import EventReader
from projections.fraud.config import RulesConfig
from projections.fraud.model import Alert, Profile
from projections.fraud.ports import FraudStore, ProfileMoved
from projections.fraud.rules import evaluate

log = logging.getLogger("acme_txn.fraud")
State = dict[str, Any]


class FraudEngine:
    def __init__(self, store: FraudStore, history: EventReader, rules: RulesConfig) -> None:
        self.store = store
        self.history = history
        self.rules = rules
        self.raised = 0  # alerts newly stored by this engine
        self.repeated = 0  # alerts found already stored (redelivery, replay)

    def process(
        self, events: Sequence[LedgerEvent], state: State | None = None, final: bool = False
    ) -> tuple[frozenset[tuple[str, int]], State]:
        """Apply ``events``; returns the ``(account, seq)`` of each account not advanced (its
        first event here) and the window's next state (``{}`` without windows or when final)."""
        by_account: dict[str, list[LedgerEvent]] = defaultdict(list)
        for event in events:
            by_account[event.account_id].append(event)
        cached: dict[str, Any] = dict((state or {}).get("profiles", {}))
        read: dict[str, Any] = dict((state or {}).get("stored", {}))
        failed: set[tuple[str, int]] = set()
        for account, evs in sorted(by_account.items()):
            evs.sort(key=lambda e: e.seq)
            try:
                self._account(account, evs, state is not None, cached, read)
            except ProfileMoved:
                log.info("fraud profile of %s moved; its records will be redelivered", account)
                failed.add((account, evs[0].seq))
        if state is None:
            return frozenset(failed), {}
        if final:
            self.flush(cached, read)
            return frozenset(failed), {}
        return frozenset(failed), {"profiles": cached, "stored": read}

    def _account(
        self,
        account: str,
        events: list[LedgerEvent],
        windowed: bool,
        cached: dict[str, Any],
        read: dict[str, Any],
    ) -> None:
        if windowed and account in cached:
            profile = Profile.from_doc(cached[account])
        else:
            stored = self.store.profile(account)
            profile = stored if stored is not None else Profile(account)
            read[account] = None if stored is None else stored.applied_seq
        expected = read.get(account)
        before = profile.applied_seq
        profile = self.advance(profile, events)
        if profile.applied_seq == before:
            return
        if windowed:
            cached[account] = profile.to_doc()
        else:
            self.store.save_profile(profile, expected)
            read.pop(account, None)

    def advance(self, profile: Profile, events: list[LedgerEvent]) -> Profile:
        """Evaluate every event after the profile's ``applied_seq`` up to the last of
        ``events``, healing gaps from the log; store the alerts raised."""
        for event in events:
            if event.seq <= profile.applied_seq:
                continue  # a redelivery
            if event.seq > profile.applied_seq + 1:
                missing = self.history.events(
                    profile.account_id, profile.applied_seq + 1, event.seq - 1
                )
                for old in missing:
                    profile = self._evaluate(profile, old)
            profile = self._evaluate(profile, event)
        return profile

    def _evaluate(self, profile: Profile, event: LedgerEvent) -> Profile:
        if event.seq <= profile.applied_seq:
            return profile
        profile, alerts = evaluate(profile, event, self.rules)
        self._store(alerts)
        return profile

    def _store(self, alerts: list[Alert]) -> None:
        for alert in alerts:
            if self.store.put_alert(alert):
                self.raised += 1
            else:
                self.repeated += 1

    def flush(self, cached: dict[str, Any], read: dict[str, Any]) -> None:
        """Write the window's profiles back (a profile moved meanwhile is left as stored)."""
        for account, doc in sorted(cached.items()):
            try:
                self.store.save_profile(Profile.from_doc(doc), read.get(account))
            except ProfileMoved:
                log.info("fraud profile of %s moved during the window; kept as stored", account)
