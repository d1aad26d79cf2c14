"""The loyalty rules and fold, pure: points in integers, tiers from lifetime points, the fold
deterministic and idempotent (replays skipped, gaps refused)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from apps.loyalty.model import MemberView, fold, member_account, user_of_account
from apps.loyalty.rules import LoyaltyRules
from processor.domain.events import AccountOpened, DebitDeclined, FundsCredited, FundsDebited

RULES = LoyaltyRules(thresholds=(100, 300))
AT = datetime(2030, 1, 1, tzinfo=UTC)


def log(steps: list[tuple[str, int]]) -> list[object]:
    """Events of PTS-u1 from (kind, points) steps; a debit past the balance is declined."""
    events: list[object] = [AccountOpened(account_id="PTS-u1", seq=0, txn_id="open",
        currency="PTS", amount=0, balance_after=0, occurred_at=AT, customer_id="P")]  # fmt: skip
    balance = 0
    for seq, (kind, points) in enumerate(steps, start=1):
        common = dict(account_id="PTS-u1", seq=seq, txn_id=f"t{seq}", currency="PTS",
                      amount=points, occurred_at=AT)  # fmt: skip
        if kind == "earn":
            balance += points
            events.append(FundsCredited(balance_after=balance, **common))
        elif points <= balance:
            balance -= points
            events.append(FundsDebited(balance_after=balance, **common))
        else:
            events.append(DebitDeclined(balance_after=balance, reason="low_balance", **common))
    return events


steps = st.lists(st.tuples(st.sampled_from(["earn", "redeem"]), st.integers(1, 200)), max_size=30)


@given(steps, st.integers(0, 30))
def test_given_any_log_when_folded_in_two_pieces_then_same_as_whole(
    history: list[tuple[str, int]], cut: int
) -> None:
    # GIVEN any member log WHEN folded whole, and in two pieces with the first piece replayed
    events = log(history)
    whole = fold(MemberView("u1"), events, RULES)  # type: ignore[arg-type]
    first = fold(MemberView("u1"), events[:cut], RULES)  # type: ignore[arg-type]
    second = fold(first.view, events, RULES)  # type: ignore[arg-type]
    # THEN the views agree, the points are the log's balance, never negative, the tier the
    # rules' tier of the lifetime points, with one tier change per crossing
    assert second.view == whole.view
    assert whole.view.points == events[-1].balance_after >= 0  # type: ignore[attr-defined]
    earned = sum(p for k, p in history if k == "earn")
    assert whole.view.lifetime_earned == earned
    assert whole.view.tier == RULES.tier_of(earned)
    assert len(whole.tier_changes) == ["Bronze", "Silver", "Gold"].index(whole.view.tier)
    assert first.tier_changes + second.tier_changes == whole.tier_changes


def test_given_a_gap_when_folded_then_refused() -> None:
    events = log([("earn", 5), ("earn", 5)])
    with pytest.raises(ValueError, match="gap"):
        fold(MemberView("u1"), [events[0], events[2]], RULES)  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("cents", "exponent", "tier", "points"),
    [(1000, 2, "Bronze", 10), (1000, 2, "Silver", 12), (1099, 2, "Gold", 16), (7, 0, "Bronze", 7)],
)
def test_given_an_order_when_points_computed_then_floor_of_amount_times_multiplier(
    cents: int, exponent: int, tier: str, points: int
) -> None:
    assert LoyaltyRules().points_for(cents, exponent, tier) == points


@pytest.mark.parametrize(
    "kwargs",
    [{"thresholds": (5, 5)}, {"thresholds": (0, 5)}, {"points_per_unit": 0},
     {"multipliers_bp": {"Bronze": 1}}],
)  # fmt: skip
def test_given_bad_rules_when_built_then_invalid_input(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        LoyaltyRules(**kwargs)  # type: ignore[arg-type]


def test_given_account_ids_when_mapped_then_only_pts_accounts_are_members() -> None:
    assert user_of_account(member_account("u1")) == "u1"
    assert user_of_account("A1") is None and user_of_account("PTS-") is None
