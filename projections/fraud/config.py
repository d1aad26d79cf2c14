"""The fraud rules' thresholds and windows: data, with defaults here, validated by pydantic.

A rules file (TOML or JSON, chosen by its suffix; ``acme-txn fraud run --rules FILE`` or
``ACME_FRAUD_RULES=FILE``) overrides any part of the defaults, e.g.::

    [velocity]
    window_s = 3600
    max_txns = 10

Unknown rules or fields, floats where integers belong and out-of-range values are refused
(``InvalidInput``, exit 2). Amounts are integer minor units of the account's currency.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from acme_base.errors import InvalidInput

DAY = 86_400
ENV_VAR = "ACME_FRAUD_RULES"
MAX_RULES_FILE = 64 * 1024


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    enabled: bool = True
    score: int = Field(default=50, ge=1, le=100, description="risk score at the threshold")


class Velocity(_Rule):
    """More than ``max_txns`` transactions of one account in a ``window_s`` window."""

    window_s: int = Field(default=3600, ge=60, le=30 * DAY)
    max_txns: int = Field(default=10, ge=1, le=10_000)
    score: int = Field(default=60, ge=1, le=100)


class DeclineVelocity(_Rule):
    """More than ``max_declines`` declined transactions of one account in a window."""

    window_s: int = Field(default=3600, ge=60, le=30 * DAY)
    max_declines: int = Field(default=3, ge=1, le=10_000)
    score: int = Field(default=70, ge=1, le=100)


class SmallDebitBurst(_Rule):
    """At least ``min_count`` debits of at most ``max_amount`` each in a short window."""

    window_s: int = Field(default=600, ge=60, le=DAY)
    max_amount: int = Field(default=500, ge=1)
    min_count: int = Field(default=5, ge=2, le=10_000)
    score: int = Field(default=65, ge=1, le=100)


class RepeatedAmount(_Rule):
    """The same outgoing amount (at least ``min_amount``) ``min_repeats`` times in a window."""

    window_s: int = Field(default=DAY, ge=60, le=30 * DAY)
    min_repeats: int = Field(default=4, ge=2, le=10_000)
    min_amount: int = Field(default=100, ge=1)
    score: int = Field(default=55, ge=1, le=100)


class AmountSpike(_Rule):
    """An outgoing amount ``min_z`` deviations above the account's running mean (Welford)
    and at least ``min_ratio`` times the mean, after ``min_samples`` outgoing amounts."""

    min_samples: int = Field(default=10, ge=2, le=100_000)
    min_z: float = Field(default=4.0, gt=0, le=100)
    min_ratio: float = Field(default=5.0, ge=1, le=1000)
    min_amount: int = Field(default=10_000, ge=1)
    score: int = Field(default=75, ge=1, le=100)


class Dormant(_Rule):
    """A transaction after ``dormant_days`` or more without any."""

    dormant_days: int = Field(default=90, ge=1, le=3650)
    score: int = Field(default=50, ge=1, le=100)


class FanOut(_Rule):
    """Transfers to more than ``max_new`` counterparties never paid before, in a window."""

    window_s: int = Field(default=DAY, ge=60, le=30 * DAY)
    max_new: int = Field(default=3, ge=1, le=10_000)
    score: int = Field(default=70, ge=1, le=100)


class RulesConfig(BaseModel):
    """Every rule's settings (each with defaults); ``max_recent`` bounds a profile's memory."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    velocity: Velocity = Velocity()
    decline_velocity: DeclineVelocity = DeclineVelocity()
    small_debit_burst: SmallDebitBurst = SmallDebitBurst()
    repeated_amount: RepeatedAmount = RepeatedAmount()
    amount_spike: AmountSpike = AmountSpike()
    dormant: Dormant = Dormant()
    fan_out: FanOut = FanOut()
    max_recent: int = Field(default=400, ge=10, le=2000)
    max_counterparties: int = Field(default=200, ge=1, le=2000)

    def horizon_s(self) -> int:
        """How far back a profile must remember transactions: the longest rule window."""
        windows = (self.velocity, self.decline_velocity, self.small_debit_burst)
        more = (self.repeated_amount, self.fan_out)
        return max(r.window_s for r in (*windows, *more))


RULE_NAMES = tuple(
    n for n in RulesConfig.model_fields if n not in {"max_recent", "max_counterparties"}
)


def parse_rules(data: Mapping[str, Any]) -> RulesConfig:
    try:
        return RulesConfig.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"fraud rules: {where}: {first['msg']}") from exc


def load_rules(path: str | Path | None) -> RulesConfig:
    """The defaults, or the defaults overridden by the TOML/JSON file at ``path``."""
    if path is None or str(path) == "":
        return RulesConfig()
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"fraud rules: cannot read {file}: {exc.strerror}") from exc
    if len(raw) > MAX_RULES_FILE:
        raise InvalidInput(f"fraud rules: {file} is over {MAX_RULES_FILE} bytes")
    try:
        data = json.loads(raw) if file.suffix.lower() == ".json" else tomllib.loads(raw.decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"fraud rules: {file} is not valid {file.suffix or 'TOML'}: {exc}"
        ) from exc
    if not isinstance(data, dict):
        raise InvalidInput(f"fraud rules: {file} must hold an object")
    return parse_rules(data)


def rules_from_env(env: Mapping[str, str], path: str | Path | None = None) -> RulesConfig:
    """``path`` (a CLI flag) wins over ``ACME_FRAUD_RULES``; neither: the defaults."""
    return load_rules(path if path is not None else env.get(ENV_VAR))
