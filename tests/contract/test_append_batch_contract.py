"""The batch append contract (``processor.storage.append_batch``): several accounts' appends per
transaction, on the in-memory twin and on DynamoDB Local alike.

On DynamoDB the losers are read from the cancelled transaction's reasons, so these tests run
the real cancellation path: a conflicting writer has really written the contested seq or txn id
before the batch is sent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from acme_base.errors import UnknownCustomer
from processor.storage.append_batch import AppendRequest, NotWritten
from processor.storage.memory import MemoryEventStore
from processor.storage.ports import EventStore, SeqTaken, TxnIdsTaken
from processor.storage.store import DynamoEventStore
from tests.contract.test_event_store_contract import (
    credit,
    open_event,
    opened,
    opening,
    record,
)
from tests.customer_support import register_in


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Each store that writes batches (DynamoDB Local only started for its own runs)."""
    if request.param == "memory":
        memory = MemoryEventStore()
        register_in(memory, "C1")
        yield memory
        return
    settings = request.getfixturevalue("settings")
    dynamo = DynamoEventStore(request.getfixturevalue("client"), settings.ledger_table)
    register_in(dynamo, "C1")
    yield dynamo


def credit_request(account: str, seq: int, balance_after: int, txn: str) -> AppendRequest:
    event = credit(account, seq, balance_after, txn)
    return AppendRequest((event,), (record(txn, event),))


def heads(store: EventStore, *accounts: str) -> list[int]:
    return [h.seq if (h := store.head(a)) is not None else -1 for a in accounts]


def test_given_free_appends_of_many_accounts_when_batched_then_all_written(
    store: Any,
) -> None:
    # GIVEN 60 opened accounts (120 actions: more than one transaction holds)
    accounts = [f"A{i:02d}" for i in range(60)]
    for account in accounts:
        opened(store, account)
    # WHEN one credit per account is appended as one batch
    results = store.append_many([credit_request(a, 1, 100, f"T-{a}") for a in accounts])
    # THEN every one is written, each account's head is its credit
    assert results == [None] * 60
    assert heads(store, *accounts) == [1] * 60


def test_given_a_taken_seq_and_a_taken_txn_id_when_batched_then_only_those_lose(
    store: Any,
) -> None:
    # GIVEN three accounts, and a conflicting writer that already appended A2's seq 1 and
    # recorded txn id T-dup (on A3)
    for account in ("A1", "A2", "A3"):
        opened(store, account)
    rival = credit("A2", 1, 100, "RIVAL")
    store.append([rival], [record("RIVAL", rival)])
    store.append([credit("A3", 1, 100, "T-dup")], [record("T-dup")])
    # WHEN a batch appends seq 1 on A1, seq 1 on A2 (taken) and T-dup again on A3 (seq 2)
    results = store.append_many(
        [
            credit_request("A1", 1, 100, "T1"),
            credit_request("A2", 1, 100, "T2"),
            credit_request("A3", 2, 200, "T-dup"),
        ]
    )
    # THEN the losers get their own claim (with the winner's event), the other NotWritten
    first, second, third = results
    assert isinstance(first, NotWritten)
    assert isinstance(second, SeqTaken) and second.seen == [rival]
    assert isinstance(third, TxnIdsTaken) and third.txn_ids == ["T-dup"]
    # AND nothing of the batch was written: it can be sent again, unchanged, and succeeds
    assert heads(store, "A1", "A2", "A3") == [0, 1, 1]
    assert store.append_many([credit_request("A1", 1, 100, "T1")]) == [None]
    assert heads(store, "A1") == [1]


def test_given_an_unknown_customer_when_batched_then_that_opening_alone_loses(
    store: Any,
) -> None:
    # GIVEN an opening for an unregistered customer beside a registered one's
    stranger = opening("A9", customer="C9")
    known = opening("A1")
    # WHEN both go in one batch
    results = store.append_many(
        [
            AppendRequest((open_event(known),), (), known),
            AppendRequest((open_event(stranger),), (), stranger),
        ]
    )
    # THEN the stranger's is UnknownCustomer, the other one is to be sent again
    assert isinstance(results[0], NotWritten)
    assert isinstance(results[1], UnknownCustomer)
    assert heads(store, "A1", "A9") == [-1, -1]


def test_given_a_malformed_request_when_batched_then_it_alone_is_refused(
    store: Any,
) -> None:
    # GIVEN an opened account and an append naming one (account, seq) twice
    opened(store, "A1")
    opened(store, "A2")
    twice = credit("A2", 1, 100, "T2")
    bad = AppendRequest((twice, twice), (record("T2", twice),))
    # WHEN it is batched with a good one
    results = store.append_many([credit_request("A1", 1, 100, "T1"), bad])
    # THEN the malformed one is a ValueError and the good one is written
    assert results[0] is None
    assert isinstance(results[1], ValueError)
    assert heads(store, "A1", "A2") == [1, 0]


def test_given_appends_over_4_mb_when_batched_then_split_and_all_written(store: Any) -> None:
    # GIVEN 14 accounts, each with a credit carrying ~330 KB of metadata: ~4.6 MB in all, more
    # than one TransactWriteItems may carry (4 MB), though under its 100 actions
    accounts = [f"B{i:02d}" for i in range(14)]
    for account in accounts:
        opened(store, account)
    bulky = {"note": "x" * 330_000}
    requests = []
    for account in accounts:
        event = dataclasses.replace(credit(account, 1, 100, f"T-{account}"), metadata=bulky)
        requests.append(AppendRequest((event,), (record(f"T-{account}", event),)))
    # WHEN they are appended as one batch
    results = store.append_many(requests)
    # THEN the batch was split at request boundaries and every append written, its metadata whole
    assert results == [None] * 14
    assert heads(store, *accounts) == [1] * 14
    assert all(store.head(a).metadata == bulky for a in accounts)
