"""The earning rule and the tiers (pure, no I/O).

Points for an order are ``floor(order amount in whole currency units * points_per_unit *
multiplier of the member's tier)``, computed in integers (the amount arrives in minor units
with its currency's exponent, multipliers in basis points) so no float ever rounds a balance.
Tiers come from the lifetime earned points (redemptions never demote).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from acme_base.errors import InvalidInput

TIERS = ("Bronze", "Silver", "Gold")


@dataclass(frozen=True)
class LoyaltyRules:
    """``thresholds``: lifetime points at which Silver and Gold start; ``multipliers_bp``: per
    tier, in basis points (10000 = x1)."""

    points_per_unit: int = 1
    thresholds: tuple[int, int] = (1000, 5000)
    multipliers_bp: dict[str, int] = field(
        default_factory=lambda: {"Bronze": 10000, "Silver": 12500, "Gold": 15000}
    )

    def __post_init__(self) -> None:
        silver, gold = self.thresholds
        if not 0 < silver < gold:
            raise InvalidInput(
                f"tier thresholds must rise: 0 < silver < gold, got {silver}, {gold}"
            )
        if self.points_per_unit < 1:
            raise InvalidInput("points_per_unit must be at least 1")
        if set(self.multipliers_bp) != set(TIERS) or min(self.multipliers_bp.values()) < 1:
            raise InvalidInput(f"multipliers_bp needs a positive value for each of {TIERS}")

    def tier_of(self, lifetime: int) -> str:
        """The tier a member with ``lifetime`` earned points is in."""
        silver, gold = self.thresholds
        if lifetime >= gold:
            return "Gold"
        return "Silver" if lifetime >= silver else "Bronze"

    def points_for(self, amount_minor: int, exponent: int, tier: str) -> int:
        """Points for an order of ``amount_minor`` (minor units of a currency with ``exponent``)."""
        if amount_minor <= 0:
            raise InvalidInput("the order amount must be positive")
        scale: int = 10**exponent * 10000
        return amount_minor * self.points_per_unit * self.multipliers_bp[tier] // scale
