"""Pure properties of command parsing: strict validation, and the idempotency fingerprint."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from processor.domain.commands import parse_command
from tests.property.strategies import equivalent_spelling, ids, money_commands, occurred_ats

valid_commands = money_commands(accounts=ids)


@given(cmd=valid_commands, as_text=st.booleans())
def test_valid_commands_parse_to_the_same_payload(cmd: dict[str, Any], as_text: bool) -> None:
    """GIVEN a valid money command (dict or JSON line) WHEN parsed THEN every field survives
    exactly, the amount is an exact Decimal, and parsing again gives an equal command."""
    parsed = parse_command(json.dumps(cmd) if as_text else cmd)
    assert parsed.type == cmd["type"]
    assert parsed.amount == Decimal(cmd["amount"])  # type: ignore[union-attr]
    assert parsed.txn_id == cmd["txn_id"]  # type: ignore[union-attr]
    dumped = parsed.model_dump(mode="json", exclude_none=True)
    assert parse_command(dumped) == parsed


@given(cmd=valid_commands, number=st.floats(min_value=0.01, max_value=1e6))
@example(cmd={"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "1"}, number=10.5)
def test_json_floats_are_refused(cmd: dict[str, Any], number: float) -> None:
    """GIVEN a JSON line whose amount is an unquoted number with a fraction WHEN parsed THEN it
    is rejected (money is never a float)."""
    line = json.dumps({**cmd, "amount": "__A__"}).replace('"__A__"', repr(float(number)))
    with pytest.raises(InvalidInput, match=r"float|decimal"):
        parse_command(line)


@given(
    cmd=valid_commands,
    field=st.sampled_from(["extra", "amount_minor", "Amount", "memo"]),
    value=st.one_of(st.integers(), st.text(max_size=5), st.none()),
)
def test_unknown_fields_are_refused(cmd: dict[str, Any], field: str, value: object) -> None:
    """GIVEN a valid command plus an unknown field WHEN parsed THEN it is rejected."""
    with pytest.raises(InvalidInput):
        parse_command({**cmd, field: value})


@given(
    cmd=valid_commands,
    bad=st.sampled_from(
        [
            "-1.00",
            "0",
            "0.00",
            "-0.01",
            "1.001",
            "12.345",
            "1e3",
            "NaN",
            "Infinity",
            "",
            " ",
            "1,00",
            "0x10",
            "10000000000.00",
            "1000000000.01",
            "+5",
        ]
    ),
)
def test_bad_amounts_are_refused(cmd: dict[str, Any], bad: str) -> None:
    """GIVEN an amount that is negative, zero, over 2 places, not a plain decimal or too big
    WHEN the command is parsed THEN it is rejected."""
    with pytest.raises(InvalidInput):
        parse_command({**cmd, "amount": bad})


@given(cmd=valid_commands, missing=st.sampled_from(["txn_id", "amount", "type"]))
def test_missing_fields_are_refused(cmd: dict[str, Any], missing: str) -> None:
    """GIVEN a command without a required field WHEN parsed THEN it is rejected."""
    with pytest.raises(InvalidInput):
        parse_command({k: v for k, v in cmd.items() if k != missing})


@given(account=ids, amount=st.just("1.00"))
def test_transfer_to_the_same_account_is_refused(account: str, amount: str) -> None:
    """GIVEN a transfer whose sender and receiver are the same WHEN parsed THEN rejected."""
    with pytest.raises(InvalidInput):
        parse_command(
            {
                "type": "transfer",
                "txn_id": "T",
                "from_account": account,
                "to_account": account,
                "amount": amount,
            }
        )


@given(
    bad_id=st.one_of(
        st.just(""),
        st.just("-x"),
        st.text(min_size=65, max_size=70),
        st.text(alphabet=" /#?\n\u00e9", min_size=1, max_size=5),
    )
)
def test_bad_ids_are_refused(bad_id: str) -> None:
    """GIVEN an id that breaks the id pattern (empty, leading dash, too long, odd characters)
    WHEN used as txn_id or account_id THEN the command is rejected."""
    with pytest.raises(InvalidInput):
        parse_command({"type": "credit", "txn_id": bad_id, "account_id": "A1", "amount": "1"})
    with pytest.raises(InvalidInput):
        parse_command({"type": "credit", "txn_id": "T1", "account_id": bad_id, "amount": "1"})


@given(cmd=valid_commands)
def test_fingerprint_ignores_spelling_but_not_meaning(cmd: dict[str, Any]) -> None:
    """GIVEN a command WHEN its amount is respelled ("5" vs "5.00") THEN the fingerprint is the
    same; WHEN the amount, account or time changes THEN the fingerprint differs."""
    base = parse_command(cmd).fingerprint()
    respelled = {**cmd, "amount": equivalent_spelling(cmd["amount"])}
    assert parse_command(respelled).fingerprint() == base
    bigger = {**cmd, "amount": str(Decimal(cmd["amount"]) + Decimal("0.01"))}
    assert parse_command(bigger).fingerprint() != base
    key = "account_id" if "account_id" in cmd else "to_account"
    moved = {**cmd, key: cmd[key] + "x"}
    assert parse_command(moved).fingerprint() != base


@given(when=occurred_ats)
def test_occurred_at_offsets_are_normalised_to_utc(when: str) -> None:
    """GIVEN the same instant written with Z and with +00:00 WHEN parsed THEN the commands are
    equal, and naive timestamps are refused."""
    base = {"type": "debit", "txn_id": "T1", "account_id": "A1", "amount": "1.00"}
    z = parse_command({**base, "occurred_at": when})
    plus = parse_command({**base, "occurred_at": when.replace("Z", "+00:00")})
    assert z == plus and z.fingerprint() == plus.fingerprint()
    with pytest.raises(InvalidInput):
        parse_command({**base, "occurred_at": when.removesuffix("Z")})
