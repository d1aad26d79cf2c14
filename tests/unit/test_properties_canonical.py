"""Properties of canonical input (``processor.domain.parsing``, ``processor.domain.money``, the id
checks):
whatever text comes in, it has one reading or is refused."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from processor.domain.money import parse_amount
from processor.domain.parsing import decode_json
from processor.storage.query_specs import check_id

#: any decimal digit of any script (Unicode category Nd), ASCII ones included
digits = st.characters(categories=["Nd"])
json_scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=8)


@given(whole=st.text(digits, min_size=1, max_size=6), cents=st.text(digits, max_size=2))
def test_given_any_digits_then_an_amount_is_read_iff_they_are_ascii(whole: str, cents: str) -> None:
    text = f"{whole}.{cents}" if cents else whole
    if text.isascii():
        if Decimal(text) > 0:
            assert parse_amount(text) == Decimal(text)
        return
    with pytest.raises(InvalidInput, match="not a positive decimal"):
        parse_amount(text)


@given(
    fields=st.dictionaries(st.text(min_size=1, max_size=6), json_scalars, min_size=1, max_size=5),
    again=st.data(),
)
def test_given_any_object_with_a_key_repeated_then_refused(
    fields: dict[str, Any], again: Any
) -> None:
    key = again.draw(st.sampled_from(sorted(fields)))
    value = again.draw(json_scalars)
    body = json.dumps(fields)[:-1] + f", {json.dumps(key)}: {json.dumps(value)}}}"
    assert decode_json(json.dumps(fields), 10**6) == fields
    with pytest.raises(InvalidInput, match="duplicate key"):
        decode_json(body, 10**6)


@given(
    base=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}", fullmatch=True),
    suffix=st.sampled_from(["\n", "\r\n", "\u202e", " ", "\x00", "\u2028"]),
)
def test_given_any_id_with_a_trailing_control_then_refused(base: str, suffix: str) -> None:
    assert check_id(base, "account") == base
    with pytest.raises(InvalidInput, match="not a valid id"):
        check_id(base + suffix, "account")
