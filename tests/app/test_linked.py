"""Linked batches through the ledger, on the twins: all legs or none, a declined leg declining
the batch, pending/post legs, retries, a refused leg writing nothing. A batch and the leg limit
(one DynamoDB transaction) also run on DynamoDB Local (``backend``); reading a batch by its
txn id is an index query (tests/integration/test_linked.py)."""

from __future__ import annotations

from typing import Any

import pytest

from acme_txn.bootstrap import App
from processor.domain.pending_model import MAX_LEGS, max_legs
from processor.storage.ports import MAX_ITEMS
from tests.customer_support import registration


def bank_on(app: App) -> App:
    for raw in (
        registration("C1"),
        *({"type": "open_account", "account_id": a, "customer_id": "C1"} for a in "ABF"),
        {"type": "credit", "txn_id": "F1", "account_id": "A", "amount": "100.00"},
    ):
        assert app.ledger.submit_raw(raw).status in {"registered", "opened", "approved"}
    return app


@pytest.fixture
def bank(memory_app: App) -> App:
    return bank_on(memory_app)


def transfer(txn: str, amount: str, source: str = "A", target: str = "B", **more: Any) -> Any:
    return {"type": "transfer", "txn_id": txn, "from_account": source, "to_account": target,
            "amount": amount, **more}  # fmt: skip


def balances(app: App) -> tuple[int, ...]:
    states = [app.event_store.replay(a) for a in "ABF"]
    return tuple(s.balance for s in states if s is not None)


def test_given_a_leg_that_declines_when_linked_then_no_leg_moves_money(bank: App) -> None:
    outcome = bank.ledger.submit_raw(
        {"type": "linked", "txn_id": "L2", "legs": [transfer("L2a", "90.00"),
                                                    transfer("L2b", "20.00", target="F")]}
    ).to_json_dict()  # fmt: skip
    assert (outcome["status"], outcome["reason"], outcome["declined_leg"]) == (
        "declined",
        "low_balance",
        1,
    )
    assert balances(bank) == (10000, 0, 0)
    events = list(bank.event_store.events("A"))
    assert [e.event_type for e in events][-1] == "TransferDeclined"  # the declined index's
    assert bank.event_store.idempotency_record("L2a") is None  # the first leg left no trace


def test_given_pending_and_post_legs_when_linked_then_they_resolve_together(bank: App) -> None:
    placed = bank.ledger.submit_raw(transfer("P1", "30.00", pending=True))
    assert placed.status == "pending"
    outcome = bank.ledger.submit_raw(
        {"type": "linked", "txn_id": "L3", "legs": [
            {"type": "post_pending", "txn_id": "L3a", "pending_txn_id": "P1"},
            transfer("L3b", "10.00", source="B", target="F"),
        ]}
    )  # fmt: skip
    assert [leg["status"] for leg in outcome.to_json_dict()["legs"]] == ["posted", "approved"]
    assert balances(bank) == (7000, 2000, 1000)
    void = bank.ledger.submit_raw({"type": "void_pending", "txn_id": "V1", "pending_txn_id": "P1"})
    assert void.status == "rejected" and "already posted" in (void.error or "")


def test_given_a_refused_leg_when_linked_then_rejected_and_nothing_written(bank: App) -> None:
    outcome = bank.ledger.submit_raw(
        {"type": "linked", "txn_id": "L4", "legs": [transfer("L4a", "1.00"),
                                                    transfer("L4b", "1.00", target="NOPE")]}
    )  # fmt: skip
    assert outcome.status == "rejected" and "leg 1 (L4b)" in (outcome.error or "")
    assert balances(bank) == (10000, 0, 0)
    assert bank.event_store.idempotency_record("L4") is None


class TestOnEitherBackend:
    @pytest.fixture
    def bank(self, backend: App) -> App:
        return bank_on(backend)

    def test_given_a_payment_and_its_fee_when_linked_then_both_legs_commit(self, bank: App) -> None:
        outcome = bank.ledger.submit_raw(
            {"type": "linked", "txn_id": "L1", "legs": [transfer("L1a", "50.00"),
                                                        transfer("L1b", "1.50", target="F")]}
        ).to_json_dict()  # fmt: skip
        assert outcome["status"] == "approved" and [leg["status"] for leg in outcome["legs"]] == [
            "approved",
            "approved",
        ]
        assert balances(bank) == (4850, 5000, 150)
        again = bank.ledger.submit_raw(
            {"type": "linked", "txn_id": "L1", "legs": [transfer("L1a", "50.00"),
                                                        transfer("L1b", "1.50", target="F")]}
        )  # fmt: skip
        assert (again.status, again.original_status) == ("duplicate", "approved")

    def test_given_a_batch_over_the_leg_limit_when_submitted_then_rejected_before_writing(
        self, bank: App
    ) -> None:
        assert MAX_LEGS == max_legs(MAX_ITEMS) == 24
        legs = [transfer(f"X{i}", "0.01") for i in range(MAX_LEGS + 1)]
        outcome = bank.ledger.submit_raw({"type": "linked", "txn_id": "L5", "legs": legs})
        assert outcome.status == "rejected" and "at most 24 legs" in (outcome.error or "")
        full = bank.ledger.submit_raw({"type": "linked", "txn_id": "L6", "legs": legs[:MAX_LEGS]})
        assert full.status == "approved" and balances(bank)[0] == 10000 - MAX_LEGS
