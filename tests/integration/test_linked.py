"""Linked batches on DynamoDB Local: a batch and its legs read back by the batch's txn id (the
ledger's index). Their rules run on the twins (tests/app/test_linked.py)."""

from __future__ import annotations

import pytest

from acme_txn.bootstrap import App
from tests.app.test_linked import bank_on, transfer


@pytest.fixture
def bank(app: App) -> App:
    return bank_on(app)


def test_given_a_linked_batch_when_read_by_txn_then_the_batch_and_its_legs(bank: App) -> None:
    if bank.infra.queries is None:
        pytest.skip("the bank's reads are key conditions on DynamoDB: no in-memory twin")
    from acme_txn.cli.read_cmd import _linked_text

    bank.ledger.submit_raw(
        {"type": "linked", "txn_id": "L1", "legs": [transfer("L1a", "50.00"),
                                                    transfer("L1b", "1.50", target="F")]}
    )  # fmt: skip
    data = bank.queries.txn("L1").to_json()
    assert (data["kind"], data["status"]) == ("linked", "approved")
    assert [leg["txn_id"] for leg in data["legs"]] == ["L1a", "L1b"]
    assert [e["kind"] for e in data["legs"][1]["events"]] == ["transfer_out", "transfer_in"]
    text = _linked_text(data)
    assert "linked batch of 2 legs" in text and "leg 1 L1b: approved transfer_out 1.50" in text
