"""`balance` answers from the ledger's head by default (the projection's lag shown beside it);
``--source projection`` reads the projection, and says why it differs from ``posted``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from processor.domain.account_state import AccountState
from processor.reads.balance_read import balance_of

NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
HEAD = AccountState("B", "C1", "USD", balance=12000, seq=3)


@dataclass(frozen=True)
class View:
    account_id: str = "B"
    balance: int = 9500
    applied_seq: int = 2
    currency: str = "USD"


def test_given_a_lagging_projection_when_read_by_default_then_the_ledgers_head_answers() -> None:
    data = balance_of("B", HEAD, NOW, View())
    assert (data["balance"], data["posted"], data["source"]) == ("120.00", "120.00", "ledger")
    assert data["projection"] == {"balance": "95.00", "applied_seq": 2, "behind_by": 1}


def test_given_source_projection_when_it_lags_then_the_difference_is_explained() -> None:
    data = balance_of("B", HEAD, NOW, View(), source="projection")
    assert (data["balance"], data["posted"], data["source"]) == ("95.00", "120.00", "projection")
    assert "1 event behind" in data["note"]


@pytest.mark.parametrize("source", ["ledger", "projection"])
@pytest.mark.parametrize("view", [None, View(), View(balance=12000, applied_seq=3)])
def test_no_answer_has_balance_and_posted_disagree_without_a_note(
    source: str, view: View | None
) -> None:
    data = balance_of("B", HEAD, NOW, view, source=source)
    assert data["balance"] == data["posted"] or data.get("note")
