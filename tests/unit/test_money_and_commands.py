"""Pure tests of money handling and command validation (no I/O)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from processor.domain.commands import Credit, Transfer, parse_command
from processor.domain.money import MAX_AMOUNT, format_minor, from_minor, parse_amount, to_minor

cents = st.integers(min_value=1, max_value=int(MAX_AMOUNT * 100))


@given(cents)
def test_given_minor_units_when_round_tripped_through_decimal_then_unchanged(minor: int) -> None:
    assert to_minor(from_minor(minor)) == minor
    assert to_minor(parse_amount(format_minor(minor))) == minor


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (1.5, "not a float"),
        (True, "not a bool"),
        ("-1.00", "positive decimal"),
        ("0", "must be positive"),
        ("0.001", "at most 2 places"),
        ("1e3", "positive decimal"),
        ("NaN", "positive decimal"),
        ("1000000000.01", "exceeds the limit"),
        (None, "must be a decimal string"),
    ],
)
def test_given_bad_amount_when_parsed_then_clear_error(value: object, fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment.split(maxsplit=1)[0]):
        parse_amount(value)


def test_given_valid_line_when_parsed_then_typed_command() -> None:
    cmd = parse_command('{"type":"credit","txn_id":"T1","account_id":"A1","amount":"100"}')
    assert isinstance(cmd, Credit)
    assert cmd.amount == Decimal("100.00")


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("{not json", "malformed JSON"),
        ('{"type":"credit","txn_id":"T1","account_id":"A1","amount":1.5}', "float"),
        ('{"type":"credit","txn_id":"T1","account_id":"A1","amount":"5","x":1}', "x"),
        ('{"type":"refund","txn_id":"T1"}', "unknown command type"),
        ('{"type":"credit","txn_id":"T1","amount":"5"}', "account_id"),
        ('{"type":"credit","txn_id":"' + "T" * 65 + '","account_id":"A1","amount":"5"}', "txn_id"),
        (
            '{"type":"transfer","txn_id":"T1","from_account":"A","to_account":"A","amount":"5"}',
            "must differ",
        ),
        (
            '{"type":"debit","txn_id":"T1","account_id":"A1","amount":"5",'
            '"occurred_at":"2022-06-19T10:00:00"}',
            "occurred_at",
        ),
        ("[1,2]", "JSON object"),
        (
            '{"type":"credit","txn_id":"T1","account_id":"A1","amount":"5","pad":"'
            + "x" * 20000
            + '"}',
            "limit",
        ),
    ],
)
def test_given_bad_line_when_parsed_then_invalid_input_says_why(line: str, fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        parse_command(line)


def test_given_same_payload_when_fingerprinted_then_equal_and_sensitive_to_amount() -> None:
    a = parse_command(
        {"type": "transfer", "txn_id": "T", "from_account": "A", "to_account": "B", "amount": "5"}
    )
    b = parse_command(
        {
            "type": "transfer",
            "txn_id": "T",
            "from_account": "A",
            "to_account": "B",
            "amount": "5.00",
        }
    )
    c = parse_command(
        {
            "type": "transfer",
            "txn_id": "T",
            "from_account": "A",
            "to_account": "B",
            "amount": "5.01",
        }
    )
    assert isinstance(a, Transfer)
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


def test_given_float_amount_line_when_rejected_then_its_txn_id_is_still_reported() -> None:
    from processor.domain.commands import txn_id_of

    line = '{"type":"credit","txn_id":"T5","account_id":"A1","amount":1.5}'
    with pytest.raises(InvalidInput, match="float"):
        parse_command(line)
    assert txn_id_of(line) == "T5"
    assert txn_id_of("{broken") is None
