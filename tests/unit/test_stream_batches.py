"""Batch delivery rules: batchItemFailures like Lambda, lanes, bisect, retry counting."""

from __future__ import annotations

from typing import Any

import pytest

from streams.batches import RetryBook, bisect_size, interpret, split_lanes, too_old


def rec(seq: int, pk: str = "ACCT#A") -> dict[str, Any]:
    return {
        "dynamodb": {
            "SequenceNumber": str(seq).zfill(21),
            "Keys": {"PK": {"S": pk}, "SK": {"S": f"TXN#{seq}"}},
        }
    }


BATCH = [rec(i) for i in range(1, 6)]


def ident(seq: int) -> dict[str, str]:
    return {"itemIdentifier": str(seq).zfill(21)}


@pytest.mark.parametrize(
    "response", [None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}]
)
def test_given_an_empty_response_then_the_batch_succeeded(response: Any) -> None:
    assert interpret(response, BATCH).ok


def test_given_failures_then_redelivery_starts_at_the_lowest_failed_record() -> None:
    verdict = interpret({"batchItemFailures": [ident(4), ident(2)]}, BATCH)
    assert (verdict.ok, verdict.failed_from, verdict.function_error) == (False, 1, False)
    assert verdict.failed == {str(2).zfill(21), str(4).zfill(21)}


@pytest.mark.parametrize(
    "bad",
    [[{"itemIdentifier": ""}], [{"itemIdentifier": None}], [{"itemId": "1"}], [ident(99)], ["x"]],
)
def test_given_an_invalid_identifier_then_the_whole_batch_failed(bad: Any) -> None:
    verdict = interpret({"batchItemFailures": bad}, BATCH)
    assert (verdict.ok, verdict.failed_from, verdict.function_error) == (False, 0, True)


def test_given_report_batch_item_failures_off_then_the_response_is_ignored() -> None:
    assert interpret({"batchItemFailures": [ident(2)]}, BATCH, report_failures=False).ok


def test_given_parallelization_then_each_key_stays_in_one_lane_in_order() -> None:
    records = [rec(i, f"ACCT#{i % 4}") for i in range(1, 41)]
    lanes = split_lanes(records, factor=3, batch_size=100, hash_attribute="PK")
    assert 1 < len(lanes) <= 3
    assert sum(len(lane) for lane in lanes) == 40
    for lane in lanes:
        seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in lane]
        assert seqs == sorted(seqs)
    owners = {}
    for n, lane in enumerate(lanes):
        for r in lane:
            assert owners.setdefault(r["dynamodb"]["Keys"]["PK"]["S"], n) == n


def test_given_a_full_lane_then_the_cut_keeps_later_records_back() -> None:
    records = [rec(i, "ACCT#hot") for i in range(1, 6)] + [rec(9, "ACCT#cold")]
    lanes = split_lanes(records, factor=2, batch_size=3, hash_attribute="PK")
    delivered = sorted(int(r["dynamodb"]["SequenceNumber"]) for lane in lanes for r in lane)
    assert delivered == [1, 2, 3]  # record 4 would overflow its lane: stop there


def test_bisect_halves_down_to_one() -> None:
    sizes = [10]
    while sizes[-1] > 1:
        sizes.append(bisect_size(sizes[-1]))
    assert sizes == [10, 5, 3, 2, 1]


def test_given_max_retries_two_then_the_third_failure_exhausts() -> None:
    book = RetryBook(max_retry_attempts=2)
    assert [book.failed("7") for _ in range(3)] == [False, False, True]
    assert not RetryBook(-1).failed("7")
    assert RetryBook(0).failed("7")


def test_record_age() -> None:
    assert too_old(100.0, now=200.0, max_age=60)
    assert not too_old(100.0, now=150.0, max_age=60)
    assert not too_old(100.0, now=10_000.0, max_age=-1)
