"""Tracing fields on commands and events (issue 11 item 6), and in-order submission per
account (item 8), pure or on the in-memory twins."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from acme_base.errors import InvalidInput
from processor.domain.commands import parse_command
from processor.domain.decide import AccountState, decide
from processor.domain.metadata import MAX_METADATA_ENTRIES
from processor.reads.views import event_json
from processor.services.ordering import keys_of, ordered_map

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CREDIT = {"type": "credit", "txn_id": "T1", "account_id": "A", "amount": "1.00"}


def test_given_tracing_fields_when_decided_then_every_event_carries_them() -> None:
    states = {"A": AccountState("A", "C", "USD", 500, 1), "B": AccountState("B", "C", "USD", 0, 4)}
    cmd = parse_command(
        {"type": "transfer", "txn_id": "T", "from_account": "A", "to_account": "B",
         "amount": "1.00", "correlation_id": "checkout-42", "causation_id": "order:7",
         "metadata": {"order": "7", "channel": "web"}}
    )  # fmt: skip
    events = decide(states, cmd, NOW)
    assert len(events) == 2
    for event in events:
        assert (event.correlation_id, event.causation_id) == ("checkout-42", "order:7")
        assert event.metadata == {"order": "7", "channel": "web"}
        assert event.recorded_at == NOW
        shown = event_json(event)
        assert shown["correlation_id"] == "checkout-42" and shown["metadata"]["order"] == "7"


def test_given_a_backdated_command_then_occurred_at_is_past_and_recorded_at_now() -> None:
    (event,) = decide(
        {"A": AccountState("A", "C", "USD", 0, 1)},
        parse_command({**CREDIT, "occurred_at": "2020-01-01T00:00:00Z"}),
        NOW,
    )
    assert event.seq == 2 and event.occurred_at.year == 2020 and event.recorded_at == NOW


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"metadata": {"k": 1}}, "valid string"),
        ({"metadata": {"k": None}}, "valid string"),
        ({"metadata": {"1bad": "v"}}, "metadata key"),
        ({"metadata": {"k": "x" * 257}}, "over 256"),
        ({"metadata": {"k": "a\nb"}}, "control"),
        ({"metadata": {f"k{i}": "v" for i in range(MAX_METADATA_ENTRIES + 1)}}, "entries"),
        ({"metadata": {f"k{i}": "v" * 250 for i in range(10)}}, "over the 2048"),
        ({"metadata": ["k", "v"]}, "valid dictionary"),
        ({"correlation_id": ""}, "correlation_id"),
        ({"causation_id": "x" * 200}, "causation_id"),
        ({"correlation_id": 5}, "correlation_id"),
    ],
)
def test_given_bad_tracing_fields_when_parsed_then_a_clear_rejection(
    fields: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        parse_command({**CREDIT, **fields})


def test_given_no_tracing_fields_then_the_fingerprint_is_unchanged_and_they_count_if_set() -> None:
    plain = parse_command(CREDIT)
    assert plain.fingerprint() == parse_command({**CREDIT, "metadata": None}).fingerprint()
    assert plain.fingerprint() != parse_command({**CREDIT, "correlation_id": "c"}).fingerprint()


def test_keys_of_a_line_name_its_accounts_customer_and_legs() -> None:
    assert keys_of('{"type":"open_account","account_id":"A","customer_id":"C"}') == {
        "acct:A",
        "cust:C",
    }
    transfer = '{"type":"transfer","txn_id":"T","from_account":"A","to_account":"B"}'
    assert keys_of(transfer) == {"acct:A", "acct:B", "txn:T"}
    linked = {"type": "linked", "txn_id": "L", "legs": [{"from_account": "X", "to_account": "Y"}]}
    assert keys_of(linked) == {"txn:L", "acct:X", "acct:Y"}
    assert keys_of("{not json") == frozenset()


def test_given_lines_of_one_account_when_run_by_8_workers_then_in_input_order() -> None:
    """GIVEN lines that touch A, B or both WHEN 8 workers run them THEN each key's lines run
    one after another in input order, outcomes come back in input order, and the first lines
    of A and of B run at the same time (they meet at a barrier, which breaks if they cannot)."""
    lines = ["A", "A", "B", "A", "B", "AB", "A", "B"]
    seen: list[int] = []
    lock = threading.Lock()
    meet = threading.Barrier(2)

    def work(index: int) -> int:
        if index in (0, 2):
            meet.wait(timeout=30)  # A's first line and B's first line, together
        with lock:
            seen.append(index)
        return index

    def keys(index: int) -> frozenset[str]:
        return frozenset(lines[index])

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(ordered_map(pool, work, range(len(lines)), keys))
    assert results == list(range(len(lines)))
    assert not meet.broken
    for key in "AB":
        mine = [i for i in seen if key in lines[i]]
        assert mine == sorted(mine)
