"""The fraud store port: account profiles (the rules' memory, one guarded item per account)
and alerts (put once, by an id derived from their evidence; status changed conditionally).

Two implementations, one contract suite (``tests/contract/test_fraud_store_contract.py``):
``projections.fraud.store.DynamoFraudStore`` (items in the views table, alerts in the sparse
``GSI_Sparse_Alerts_RiskScore``: ``alert_day`` -> ``risk_score``) and the in-memory twin
``projections.fraud.memory.MemoryFraudStore``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from acme_base.errors import AcmeError, InvalidInput
from projections.fraud.model import NEXT_STATUS, Alert, Profile


class ProfileMoved(AcmeError):
    """The profile is not at the ``applied_seq`` the writer read; nothing was written."""


class UnknownAlert(InvalidInput):
    """No alert has this id."""


class StatusRefused(InvalidInput):
    """The alert's status does not allow this change (e.g. a dismissed alert reviewed)."""


def check_transition(alert: Alert, status: str) -> None:
    if status not in NEXT_STATUS[alert.status]:
        raise StatusRefused(f"alert {alert.alert_id} is {alert.status}: it cannot become {status}")


class FraudStore(Protocol):
    def profile(self, account_id: str) -> Profile | None:
        """The account's stored profile (None: no event applied yet). Strongly consistent."""
        ...

    def save_profile(self, profile: Profile, expected_seq: int | None) -> None:
        """Write ``profile`` if the stored one is at ``expected_seq`` (None: absent), else
        raise ``ProfileMoved``."""
        ...

    def put_alert(self, alert: Alert) -> bool:
        """Store a new alert; False (nothing written) if its id is already stored."""
        ...

    def alert(self, alert_id: str) -> Alert | None: ...

    def alerts(self, days: Sequence[str], min_score: int = 0) -> list[Alert]:
        """Alerts raised on ``days`` with ``risk_score >= min_score`` (one index query per
        day), highest score first (then day, then id)."""
        ...

    def set_status(self, alert_id: str, status: str, *, note: str, reviewer: str, at: str) -> Alert:
        """Move an alert to ``status`` (``NEXT_STATUS``) with a note; ``UnknownAlert`` or
        ``StatusRefused`` (also when a concurrent change got there first)."""
        ...


def ranked(alerts: Sequence[Alert]) -> list[Alert]:
    return sorted(alerts, key=lambda a: (-a.risk_score, a.alert_day, a.alert_id))
