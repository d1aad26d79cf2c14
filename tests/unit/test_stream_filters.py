"""Filter criteria: the subset of Lambda's filter pattern language the poller supports."""

from __future__ import annotations

from typing import Any

import pytest

from acme_base.errors import InvalidInput
from streams.filters import EVENTS_ONLY, FilterCriteria, matches


def rec(pk: str, sk: str, name: str = "INSERT", **image: Any) -> dict[str, Any]:
    typed = {k: ({"N": str(v)} if isinstance(v, int) else {"S": v}) for k, v in image.items()}
    keys = {"PK": {"S": pk}, "SK": {"S": sk}}
    return {"eventName": name, "dynamodb": {"Keys": keys, "NewImage": {**keys, **typed}}}


EVENT = rec("ACCT#A1", "TXN#000000000001", status="declined", amount=1250, kind="debit")
TXN_RECORD = rec("TXN#T1", "TXN#T1", status="approved")
CUSTOMER = rec("CUST#C1", "CUST#C1")


def test_given_default_events_only_filter_then_only_txn_events_pass() -> None:
    f = FilterCriteria([EVENTS_ONLY])
    assert [f(r) for r in (EVENT, TXN_RECORD, CUSTOMER)] == [True, False, False]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"eventName": ["INSERT"]}, True),
        ({"eventName": ["MODIFY", "REMOVE"]}, False),
        ({"dynamodb": {"NewImage": {"status": {"S": ["declined"]}}}}, True),
        ({"dynamodb": {"NewImage": {"status": {"S": [{"anything-but": ["declined"]}]}}}}, False),
        (
            {"dynamodb": {"NewImage": {"status": {"S": [{"anything-but": {"prefix": "app"}}]}}}},
            True,
        ),
        ({"dynamodb": {"NewImage": {"kind": {"S": [{"prefix": "deb"}]}}}}, True),
        ({"dynamodb": {"NewImage": {"kind": {"S": [{"suffix": "bit"}]}}}}, True),
        ({"dynamodb": {"NewImage": {"kind": {"S": [{"equals-ignore-case": "DEBIT"}]}}}}, True),
        ({"dynamodb": {"NewImage": {"reason": [{"exists": True}]}}}, False),
        ({"dynamodb": {"NewImage": {"reason": [{"exists": False}]}}}, True),
        (
            {"dynamodb": {"NewImage": {"amount": {"N": [{"numeric": [">", 1000, "<=", 1250]}]}}}},
            True,
        ),
        ({"dynamodb": {"NewImage": {"amount": {"N": [{"numeric": ["<", 1250]}]}}}}, False),
        ({"dynamodb": {"NewImage": {"amount": {"N": [{"numeric": ["=", 1250]}]}}}}, True),
        (
            {
                "$or": [
                    {"eventName": ["REMOVE"]},
                    {"dynamodb": {"NewImage": {"status": {"S": ["declined"]}}}},
                ]
            },
            True,
        ),
        (
            {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["approved"]}}}},
            False,
        ),
        ({"dynamodb": {"OldImage": {"status": {"S": ["declined"]}}}}, False),
    ],
)
def test_given_a_pattern_when_matched_against_a_declined_debit_then_result_is_expected(
    pattern: dict[str, Any], expected: bool
) -> None:
    FilterCriteria([pattern])  # validates
    assert matches(pattern, EVENT) is expected


def test_given_several_filters_then_any_match_passes_and_no_filter_passes_all() -> None:
    f = FilterCriteria(
        [{"eventName": ["REMOVE"]}, {"dynamodb": {"Keys": {"PK": {"S": [{"prefix": "CUST#"}]}}}}]
    )
    assert [f(r) for r in (EVENT, TXN_RECORD, CUSTOMER)] == [False, False, True]
    assert FilterCriteria()(EVENT)


def test_given_lambda_filter_criteria_json_then_it_parses_like_lambda() -> None:
    text = '{"Filters": [{"Pattern": "{\\"eventName\\": [\\"INSERT\\"]}"}]}'
    f = FilterCriteria.parse(text)
    assert f(EVENT) and not f(rec("ACCT#A", "TXN#1", name="REMOVE"))


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        {"eventName": "INSERT"},
        {"eventName": []},
        {"eventName": [{"regex": "x"}]},
        {"amount": [{"numeric": [">>", 1]}]},
        {"x": [{"exists": "yes"}]},
        [{"a": ["b"]}] * 6,
    ],
)
def test_given_an_unsupported_pattern_then_it_is_rejected_as_bad_input(bad: Any) -> None:
    with pytest.raises(InvalidInput):
        FilterCriteria.parse(bad)
