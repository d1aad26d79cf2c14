"""Laws of what users see: money in the apps' answers is dollars that read back to the cents
stored, and an amount past the limit is refused naming the limit and the input as typed.
(The planted bugs of ``tests/property/cli_mutants.py`` break them.)"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from acme_txn.cli import budget_cmd
from processor.domain.money import MAX_AMOUNT, parse_amount, to_minor


@given(cents=st.integers(min_value=0, max_value=10**13), field=st.sampled_from(["amount",
       "spent", "budget"]))  # fmt: skip
def test_the_apps_answers_show_dollars_that_read_back_to_the_cents(cents: int, field: str) -> None:
    shown = budget_cmd.in_dollars({field: cents, "month": "2026-12"})
    assert isinstance(shown[field], str) and shown["month"] == "2026-12"
    assert to_minor(Decimal(shown[field])) == cents
    assert shown[field] == f"{Decimal(cents).scaleb(-2):.2f}"


@given(
    whole=st.integers(min_value=int(MAX_AMOUNT) + 1, max_value=10**30),
    cents=st.integers(0, 99),
)
def test_an_amount_past_the_limit_names_the_limit_and_echoes_the_input(
    whole: int, cents: int
) -> None:
    typed = f"{whole}.{cents:02d}"
    with pytest.raises(InvalidInput) as caught:
        parse_amount(typed)
    message = str(caught.value)
    assert f"{typed!r} exceeds the limit of 1,000,000,000.00" in message
