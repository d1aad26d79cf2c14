"""The JSON of an event's issue-11 fields (limits, times, tracing), for ``events`` and ``txn``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from processor.domain.events import LedgerEvent
from processor.domain.limit_model import Limits
from processor.domain.money import format_minor


def _time(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def limits_json(limits: Limits, currency: str) -> dict[str, Any]:
    """Limits with money in the account's currency (a decimal string), flags as booleans."""
    return {
        "credit_limit": format_minor(limits.credit_limit, currency),
        "debits_must_not_exceed_credits": limits.debits_must_not_exceed_credits,
        "credits_must_not_exceed_debits": limits.credits_must_not_exceed_debits,
        "max_balance": None
        if limits.max_balance is None
        else format_minor(limits.max_balance, currency),
    }


def rules_json(event: LedgerEvent) -> dict[str, Any]:
    """Only what the event has: old events look as they always did (but ``recorded_at``)."""
    data: dict[str, Any] = {}
    if event.recorded_at is not None:
        data["recorded_at"] = _time(event.recorded_at)
    if event.limits is not None:
        data["limits"] = limits_json(event.limits, event.currency)
    for name in ("correlation_id", "causation_id", "metadata", "principal"):
        value = getattr(event, name)
        if value:
            data[name] = value
    return data
