"""The write path's rules on the twins: idempotency, bad input rejected with its reason and
nothing written, transfers, openings; two end-to-end paths also on DynamoDB Local (the
``backend`` fixture). Conditional appends on raw items, the sparse index's items and an
unreachable endpoint are DynamoDB's (tests/integration/test_write_path.py).
"""

from __future__ import annotations

import pytest

from acme_txn.bootstrap import App
from processor.services.ledger import Ledger
from processor.storage.ports import EventStore
from tests.app.conftest import stored
from tests.customer_support import register_in


def _open(ledger: Ledger, *accounts: str, fund: str | None = None) -> None:
    register_in(ledger.store, "C1")  # an opening needs a registered customer
    for acct in accounts:
        assert (
            ledger.submit_raw(
                {
                    "type": "open_account",
                    "occurred_at": "2000-01-01T00:00:00Z",
                    "account_id": acct,
                    "customer_id": "C1",
                }
            ).status
            == "opened"
        )
        if fund:
            ledger.submit_raw(
                {"type": "credit", "txn_id": f"fund-{acct}", "account_id": acct, "amount": fund}
            )


BAD_INPUTS = [
    ('{"type":"credit","txn_id":"B1","account_id":"A1","amount":"1"', "malformed JSON"),
    ('{"type":"credit","txn_id":"B2","account_id":"A1","amount":"1","memo":"x"}', "memo"),
    ('{"type":"credit","txn_id":"B3","account_id":"A1","amount":2.5}', "float"),
    ('{"type":"debit","txn_id":"B4","account_id":"A1","amount":"-3"}', "positive"),
    ('{"type":"credit","txn_id":"B5","account_id":"NOPE","amount":"1"}', "unknown account"),
    (
        '{"type":"transfer","txn_id":"B6","from_account":"A1","to_account":"NOPE","amount":"1"}',
        "unknown account",
    ),
    ('{"type":"credit","txn_id":"B7","account_id":"A1","amount":"99999999999"}', "amount"),
    ('{"type":"credit","txn_id":"B8","account_id":"A1","amount":"1","currency":"EUR"}', "currency"),
    ('{"type":"open_account","account_id":"A1","customer_id":"OTHER"}', "already exists"),
    ('{"type":"open_account","account_id":"A9","customer_id":"C9"}', "unknown customer: 'C9'"),
    ('{"type":"open_account","account_id":"A9","customer_id":"C1","phone":"+1212"}', "phone"),
    ('{"type":"open_account","account_id":"A9","customer_id":"C1","state":"NY"}', "state: Extra"),
]


@pytest.mark.parametrize(("line", "fragment"), BAD_INPUTS)
def test_given_bad_input_when_submitted_then_rejected_with_reason_and_nothing_written(
    memory_app: App, line: str, fragment: str
) -> None:
    ledger, store = memory_app.ledger, memory_app.event_store
    _open(ledger, "A1", fund="1.00")
    register_in(store, "OTHER")  # registered, so the opening fails on the account id alone
    before = stored(memory_app)
    outcome = ledger.submit_raw(line)
    assert outcome.status == "rejected"
    assert fragment in (outcome.error or "")
    assert stored(memory_app) == before


class TestOnTheTwin:
    """The ledger's behaviour on the in-memory store (which the contract suite holds to the
    DynamoDB adapter's semantics)."""

    @pytest.fixture
    def store(self, memory_app: App) -> EventStore:
        return memory_app.event_store

    @pytest.fixture
    def ledger(self, store: EventStore) -> Ledger:
        return Ledger(store)

    def test_given_same_txn_twice_when_submitted_then_duplicate_with_original_fields(
        self, ledger: Ledger, store: EventStore
    ) -> None:
        _open(ledger, "A1", fund="100.00")
        cmd = {"type": "debit", "txn_id": "T2", "account_id": "A1", "amount": "30.50"}
        first = ledger.submit_raw(cmd)
        ledger.submit_raw({"type": "debit", "txn_id": "T3", "account_id": "A1", "amount": "1"})
        again = ledger.submit_raw(dict(cmd, amount="30.5"))  # same payload, other spelling
        assert first.status == "approved" and first.balance_after == "69.50"
        assert again.status == "duplicate" and again.original_status == "approved"
        assert (again.seq, again.balance_after) == (first.seq, first.balance_after)
        assert [e.txn_id for e in store.events("A1")].count("T2") == 1

    def test_given_reused_txn_id_with_other_payload_when_submitted_then_rejected_nothing_written(
        self, ledger: Ledger, store: EventStore
    ) -> None:
        _open(ledger, "A1", "A2", fund="100.00")
        assert (
            ledger.submit_raw(
                {"type": "credit", "txn_id": "T9", "account_id": "A1", "amount": "1"}
            ).status
            == "approved"
        )
        before = [list(store.events(a)) for a in ("A1", "A2")]
        for other in (
            {"type": "credit", "txn_id": "T9", "account_id": "A1", "amount": "2"},
            {
                "type": "transfer",
                "txn_id": "T9",
                "from_account": "A2",
                "to_account": "A1",
                "amount": "1",
            },
        ):
            outcome = ledger.submit_raw(other)
            assert outcome.status == "rejected"
            assert "already used" in (outcome.error or "")
        assert [list(store.events(a)) for a in ("A1", "A2")] == before

    def test_given_open_account_twice_when_same_attributes_then_duplicate(
        self, ledger: Ledger
    ) -> None:
        register_in(ledger.store, "C7")  # phone, state and statuses are the customer's now
        cmd = {
            "type": "open_account",
            "occurred_at": "2000-01-01T00:00:00Z",
            "account_id": "A7",
            "customer_id": "C7",
            "currency": "EUR",
        }
        assert ledger.submit_raw(cmd).status == "opened"
        assert ledger.submit_raw(cmd).status == "duplicate"


class TestOnEitherStore:
    """End to end through the adapter, on the in-memory store and on DynamoDB Local alike: a
    transfer's two legs in one transaction, and a seq race lost on the condition and retried."""

    @pytest.fixture
    def store(self, backend: App) -> EventStore:
        return backend.event_store

    @pytest.fixture
    def ledger(self, store: EventStore) -> Ledger:
        return Ledger(store)

    def test_given_transfer_when_approved_or_declined_then_both_legs_or_one_sender_event(
        self, ledger: Ledger, store: EventStore
    ) -> None:
        _open(ledger, "A1", "A2", fund="10.00")
        ok = ledger.submit_raw(
            {
                "type": "transfer",
                "txn_id": "X1",
                "from_account": "A1",
                "to_account": "A2",
                "amount": "4.00",
            }
        )
        no = ledger.submit_raw(
            {
                "type": "transfer",
                "txn_id": "X2",
                "from_account": "A1",
                "to_account": "A2",
                "amount": "7.00",
            }
        )
        assert (ok.status, ok.balance_after, ok.to_balance_after) == ("approved", "6.00", "14.00")
        assert (no.status, no.reason) == ("declined", "low_balance")
        kinds = {
            a: [(e.txn_id, e.kind, e.status) for e in store.events(a)][2:] for a in ("A1", "A2")
        }
        assert kinds == {
            "A1": [("X1", "transfer_out", "approved"), ("X2", "transfer_out", "declined")],
            "A2": [("X1", "transfer_in", "approved")],
        }

    def test_given_stale_cached_head_when_another_writer_appended_then_retry_gives_right_balance(
        self, ledger: Ledger, store: EventStore
    ) -> None:
        # GIVEN a ledger that cached A1's head from its own last commit
        _open(ledger, "A1", fund="10.00")
        other = Ledger(store)  # its own head cache and queues, as another process has
        # WHEN another writer (another process, say) appends behind its back
        assert (
            other.submit_raw(
                {"type": "debit", "txn_id": "O1", "account_id": "A1", "amount": "4.00"}
            ).balance_after
            == "6.00"
        )
        # THEN the first ledger's next write loses the seq race, re-reads and lands correctly
        outcome = ledger.submit_raw(
            {"type": "debit", "txn_id": "O2", "account_id": "A1", "amount": "5.00"}
        )
        assert (outcome.status, outcome.seq, outcome.balance_after) == ("approved", 3, "1.00")
        assert ledger.stats["retries"] == 1
        declined = ledger.submit_raw(
            {"type": "debit", "txn_id": "O3", "account_id": "A1", "amount": "5.00"}
        )
        assert (declined.status, declined.balance_after) == ("declined", "1.00")
