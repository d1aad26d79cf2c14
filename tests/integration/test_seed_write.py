"""The seed's iteration-11 write (``bench.seed_write``, the benchmarks' baseline) on DynamoDB
Local: its stale-counter retry, its duplicate and its declined debit."""

from __future__ import annotations

from typing import Any

import pytest

from acme_base.settings import Settings
from bench import seed_write


@pytest.fixture
def seeded(settings: Settings, client: Any) -> str:
    """An account S1 of customer C1 holding 10.00 (minor units), on our ledger table's shape."""
    seed_write.open_account(client, settings.ledger_table, "C1", "S1", 1000)
    return settings.ledger_table


def test_given_a_write_in_between_when_submitting_then_it_rereads_retries_once_and_adds_up(
    seeded: str, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN another writer that commits a credit right after our first read of the account
    real_read = seed_write.read_account
    interleaved: list[seed_write.SeedResult] = []
    raced = False

    def read_then_race(*args: Any) -> dict[str, Any]:
        nonlocal raced
        account = real_read(*args)
        if not raced:
            raced = True  # (the other writer's own read passes straight through)
            interleaved.append(seed_write.submit(client, seeded, ("C1", "S1"), "OTHER", 50))
        return account

    monkeypatch.setattr(seed_write, "read_account", read_then_race)
    # WHEN we credit 1.00
    result = seed_write.submit(client, seeded, ("C1", "S1"), "OURS", 100)
    # THEN our write met the changed counter once, re-read, and both credits count
    assert interleaved[0] == seed_write.SeedResult("approved", 0, 1050)
    assert result == seed_write.SeedResult("approved", 1, 1150)
    account = real_read(client, seeded, "C1", "S1")
    assert (account["acct_balance"], account["acct_last_txn"]) == (1150, 2)


def test_given_a_used_txn_id_when_submitting_again_then_duplicate_and_nothing_changes(
    seeded: str, client: Any
) -> None:
    # GIVEN a credit T1 committed
    seed_write.submit(client, seeded, ("C1", "S1"), "T1", 100)
    # WHEN T1 is sent again THEN it is a duplicate and the balance is unchanged
    again = seed_write.submit(client, seeded, ("C1", "S1"), "T1", 100)
    assert again.status == "duplicate"
    account = seed_write.read_account(client, seeded, "C1", "S1")
    assert (account["acct_balance"], account["acct_last_txn"]) == (1100, 1)


def test_given_a_debit_over_the_balance_when_submitting_then_declined_and_recorded(
    seeded: str, client: Any
) -> None:
    # GIVEN 10.00 WHEN a 20.00 debit is sent
    result = seed_write.submit(client, seeded, ("C1", "S1"), "D1", 2000, kind="debit")
    # THEN declined, the balance untouched, the txn item kept with its decline reason
    assert (result.status, result.balance_after) == ("declined", 1000)
    item = client.get_item(TableName=seeded, Key={"PK": {"S": "TXN#D1"}, "SK": {"S": "ACCT#S1"}})[
        "Item"
    ]
    assert item["txn_declined_reason"] == {"S": "low_balance"}
    assert seed_write.read_account(client, seeded, "C1", "S1")["acct_balance"] == 1000
