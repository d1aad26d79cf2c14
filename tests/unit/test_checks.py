"""Pure tests of reading a deposited check: the ABA routing checksum, the amount in words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processor.domain.checks import aba_checksum_ok, check_problem, words_to_cents
from processor.domain.money import MAX_AMOUNT
from tests.property.strategies import VALID_ROUTINGS, spell_amount

GOOD_WORDS = "One hundred twenty-three and 45/100"


@pytest.mark.parametrize("routing", VALID_ROUTINGS)
def test_given_real_routing_numbers_when_checked_then_valid(routing: str) -> None:
    assert aba_checksum_ok(routing)


@pytest.mark.parametrize(
    ("routing", "why"),
    [
        ("021000022", "checksum"),
        ("02100002", "8 digits"),
        ("0210000210", "10 digits"),
        ("02100002A", "a letter"),
        ("0210 0021", "a space"),
        ("٠٢١٠٠٠٠٢١", "non-ASCII digits"),
        ("991000021", "no Federal Reserve prefix (99)"),
        ("", "empty"),
    ],
)
def test_given_bad_routing_numbers_when_checked_then_invalid(routing: str, why: str) -> None:
    assert not aba_checksum_ok(routing), why


@given(
    routing=st.sampled_from(VALID_ROUTINGS),
    position=st.integers(0, 8),
    step=st.integers(1, 9),
)
def test_given_one_changed_digit_when_checked_then_the_checksum_fails(
    routing: str, position: int, step: int
) -> None:
    """GIVEN a valid routing number WHEN any single digit changes THEN it no longer checks
    (the weights 3, 7, 1 are coprime with 10, so a one-digit error always shows)."""
    changed = f"{routing[:position]}{(int(routing[position]) + step) % 10}{routing[position + 1 :]}"
    assert not aba_checksum_ok(changed)


@pytest.mark.parametrize(
    ("words", "cents"),
    [
        (GOOD_WORDS, 12345),
        ("one hundred twenty three dollars and 45/100", 12345),
        ("ONE HUNDRED TWENTY-THREE DOLLARS AND 45/100 DOLLARS ONLY", 12345),
        ("Fifty dollars", 5000),
        ("fifty and no/100", 5000),
        ("fifty and xx/100", 5000),
        ("Zero and 05/100", 5),
        ("zero dollars and forty-five cents", 45),
        ("Two million three thousand and 07/100", 200300007),
        ("One billion and 00/100", 100000000000),
        ("  one   hundred,  and  1/100 ", 10001),
    ],
)
def test_given_amounts_in_words_when_read_then_the_cents_are_exact(words: str, cents: int) -> None:
    assert words_to_cents(words) == cents


@pytest.mark.parametrize(
    "words",
    [
        "",
        "one two",
        "twelve three",
        "twenty thirty",
        "hundred",
        "two hundred hundred",
        "one thousand one million",
        "zero zero",
        "one hundred and twenty",  # "and" only before the cents, as US checks write
        "fifty and 100/100",
        "fifty and ninety-nine hundred cents",
        "one hundred twenty-three dollars and 45 cents please",
        "123.45",
        "one hundred twenty-three euros and 45/100",
    ],
)
def test_given_words_that_do_not_read_when_read_then_none(words: str) -> None:
    assert words_to_cents(words) is None


@given(minor=st.integers(0, int(MAX_AMOUNT * 100)), style=st.integers(0, 1))
def test_given_any_spelled_amount_when_read_back_then_same_cents(minor: int, style: int) -> None:
    """GIVEN any amount up to the limit spelled as a check writer would (an independent
    speller) WHEN read THEN the reader gives back exactly the cents."""
    assert words_to_cents(spell_amount(minor, style)) == minor


def test_given_a_good_check_when_checked_then_no_problem() -> None:
    assert check_problem("1001", "021000021", GOOD_WORDS, 12345) is None


@pytest.mark.parametrize(
    ("number", "routing", "words", "amount", "says"),
    [
        ("1001", "021000022", GOOD_WORDS, 12345, "routing number '021000022'"),
        ("", "021000021", GOOD_WORDS, 12345, "check number ''"),
        ("0000", "021000021", GOOD_WORDS, 12345, "check number '0000'"),
        ("12A4", "021000021", GOOD_WORDS, 12345, "check number '12A4'"),
        ("12345678901", "021000021", GOOD_WORDS, 12345, "1 to 10 digits"),
        ("1001", "021000021", "lots of money", 12345, "does not read"),
        ("1001", "021000021", GOOD_WORDS, 12346, "says 123.45, not 123.46"),
    ],
)
def test_given_a_flawed_check_when_checked_then_the_problem_is_named(
    number: str, routing: str, words: str, amount: int, says: str
) -> None:
    problem = check_problem(number, routing, words, amount)
    assert problem is not None and says in problem
