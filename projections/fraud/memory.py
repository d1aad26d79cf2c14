"""The in-memory twin of ``DynamoFraudStore`` (held to it by the contract suite)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace

from projections.fraud.model import Alert, Profile
from projections.fraud.ports import ProfileMoved, UnknownAlert, check_transition, ranked


class MemoryFraudStore:
    def __init__(self) -> None:
        self._profiles: dict[str, dict[str, object]] = {}
        self._alerts: dict[str, Alert] = {}
        self._lock = threading.Lock()

    def profile(self, account_id: str) -> Profile | None:
        with self._lock:
            doc = self._profiles.get(account_id)
        return None if doc is None else Profile.from_doc(dict(doc))

    def save_profile(self, profile: Profile, expected_seq: int | None) -> None:
        with self._lock:
            stored = self._profiles.get(profile.account_id)
            have = None if stored is None else stored["applied_seq"]
            if have != expected_seq:
                raise ProfileMoved(f"profile of {profile.account_id} at {have}")
            self._profiles[profile.account_id] = profile.to_doc()

    def put_alert(self, alert: Alert) -> bool:
        with self._lock:
            if alert.alert_id in self._alerts:
                return False
            self._alerts[alert.alert_id] = alert
            return True

    def alert(self, alert_id: str) -> Alert | None:
        with self._lock:
            return self._alerts.get(alert_id)

    def alerts(self, days: Sequence[str], min_score: int = 0) -> list[Alert]:
        wanted = set(days)
        with self._lock:
            found = [a for a in self._alerts.values() if a.alert_day in wanted]
        return ranked([a for a in found if a.risk_score >= min_score])

    def set_status(self, alert_id: str, status: str, *, note: str, reviewer: str, at: str) -> Alert:
        with self._lock:
            alert = self._alerts.get(alert_id)
            if alert is None:
                raise UnknownAlert(f"no alert {alert_id}")
            check_transition(alert, status)
            changed = replace(alert, status=status, note=note, reviewer=reviewer, reviewed_at=at)
            self._alerts[alert_id] = changed
            return changed
