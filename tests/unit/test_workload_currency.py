"""The synthetic workload in another currency: amounts in its exponent, no USD checks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from acme_txn.invariants import check_log
from acme_txn.workload import WorkloadSpec, funding_commands, mixed_commands
from processor.domain.money import parse_amount
from tests.projection_logs import build_log


@pytest.mark.parametrize(
    ("code", "funded"), [("USD", "500.00"), ("JPY", "50000"), ("BHD", "50.000")]
)
def test_given_a_currency_when_generated_then_every_amount_parses_in_it(
    code: str, funded: str
) -> None:
    spec = WorkloadSpec(accounts=3, commands=200, currency=code)
    assert {c["amount"] for c in funding_commands(spec)} == {funded}
    mixed = mixed_commands(spec)
    for cmd in mixed:
        parse_amount(cmd["amount"], code)  # raises InvalidInput on too many places
    checks = [c for c in mixed if c.get("channel") == "check"]
    assert bool(checks) == (code == "USD")  # checks spell dollars and cents


def test_given_two_currencies_then_money_is_conserved_per_currency() -> None:
    # GIVEN a USD account and a JPY account, each consistent on its own
    usd = build_log({"A1": [("credit", 500, 0, 9), ("debit", 200, 0, 10)]})
    jpy = [replace(e, currency="JPY") for e in build_log({"B7": [("credit", 900, 0, 9)]})]
    # WHEN checked THEN conserved in each, with the sums kept apart
    result = check_log([*usd, *jpy])
    assert result.ok, result.problems
    assert result.by_currency == {"JPY": (900, 900), "USD": (300, 300)}
