"""Pure properties of money: Decimal <-> integer minor units, and amount parsing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from processor.domain.money import MAX_AMOUNT, format_minor, from_minor, parse_amount, to_minor
from tests.property.strategies import MAX_MINOR, any_minor, minor_to_text

minor_units = st.integers(min_value=-(10**15), max_value=10**15)


@given(minor=minor_units)
@example(minor=0)
@example(minor=-5)
def test_minor_units_round_trip_through_decimal(minor: int) -> None:
    """GIVEN any integer number of cents WHEN converted to Decimal and back THEN it is unchanged,
    and the Decimal has exactly two places."""
    amount = from_minor(minor)
    assert to_minor(amount) == minor
    assert amount.as_tuple().exponent == -2


@given(minor=minor_units)
def test_format_minor_is_an_exact_two_place_decimal(minor: int) -> None:
    """GIVEN cents WHEN formatted THEN the text has two places and parses back to the same cents."""
    text = format_minor(minor)
    assert text.rsplit(".", 1)[1].isdigit() and len(text.rsplit(".", 1)[1]) == 2
    assert Decimal(text) * 100 == minor


@given(minor=any_minor)
@example(minor=MAX_MINOR)
@example(minor=1)
def test_parse_amount_accepts_every_positive_two_place_string(minor: int) -> None:
    """GIVEN a positive amount with at most 2 places within the limit WHEN parsed THEN the
    Decimal equals the text exactly and converts to the same cents."""
    text = minor_to_text(minor)
    amount = parse_amount(text)
    assert amount == Decimal(text)
    assert to_minor(amount) == minor
    assert parse_amount(amount) == amount  # a Decimal is accepted as is
    assert parse_amount(f" {text} ") == amount  # surrounding blanks are tolerated


@given(value=st.floats(allow_nan=True, allow_infinity=True) | st.booleans())
def test_parse_amount_refuses_floats_and_bools(value: object) -> None:
    """GIVEN a float or bool WHEN parsed as an amount THEN it is refused (never rounded)."""
    with pytest.raises(InvalidInput):
        parse_amount(value)


@given(whole=st.integers(0, 10**9 - 1), frac=st.integers(0, 999), places=st.integers(3, 6))
def test_parse_amount_refuses_more_than_two_places(whole: int, frac: int, places: int) -> None:
    """GIVEN an amount written with 3+ decimal places WHEN parsed THEN it is refused, as a
    string and as a Decimal (even when the extra digits are zeros: the text claims precision)."""
    text = f"{whole}.{frac:0{places}d}"
    with pytest.raises(InvalidInput):
        parse_amount(text)
    with pytest.raises(InvalidInput):
        parse_amount(Decimal(text))


@given(minor=st.integers(min_value=-(10**12), max_value=0))
def test_parse_amount_refuses_zero_and_negative(minor: int) -> None:
    """GIVEN a zero or negative amount WHEN parsed THEN it is refused."""
    with pytest.raises(InvalidInput):
        parse_amount(format_minor(minor))
    with pytest.raises(InvalidInput):
        parse_amount(from_minor(minor))


@given(extra=st.integers(min_value=1, max_value=10**12))
def test_parse_amount_refuses_amounts_over_the_limit(extra: int) -> None:
    """GIVEN an amount above MAX_AMOUNT WHEN parsed THEN it is refused."""
    with pytest.raises(InvalidInput):
        parse_amount(from_minor(int(MAX_AMOUNT * 100) + extra))


@given(text=st.text(max_size=20))
def test_parse_amount_never_accepts_garbage_silently(text: str) -> None:
    """GIVEN any text WHEN parsed THEN it is either refused with InvalidInput or gives a positive
    two-place Decimal equal to the text's number."""
    try:
        amount = parse_amount(text)
    except InvalidInput:
        return
    assert amount > 0
    assert amount == Decimal(text.strip())
    assert to_minor(amount) == int(Decimal(text.strip()) * 100)


@given(minor=st.integers(1, 10**6), sub=st.integers(1, 9))
def test_to_minor_refuses_sub_cent_amounts(minor: int, sub: int) -> None:
    """GIVEN a Decimal with a fraction of a cent WHEN converted THEN it is refused, not rounded."""
    with pytest.raises(InvalidInput):
        to_minor(Decimal(minor) / 100 + Decimal(sub) / 1000)
