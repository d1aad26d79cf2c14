"""GIVEN a known bug planted in a DynamoDB adapter (a condition, a transaction's items; see
mutations.py) WHEN its state machine runs on DynamoDB Local THEN it fails: DynamoDB's own
behaviour still meets the machines. The cheap ones only, as in test_mutations.py, at twice its
machine examples: a store-level bug shows only when the machine happens on its step (a redelivery
past the guard, the last special status removed), and ten examples met it only most times."""

from __future__ import annotations

import pytest

from tests.property.mutations import Mutation, check, needs_dynamodb
from tests.property.test_mutations import CHEAP

ON_DYNAMODB = [m for m in CHEAP if needs_dynamodb(m)]


@pytest.mark.parametrize("mutation", ON_DYNAMODB, ids=[m.name for m in ON_DYNAMODB])
def test_planted_bug_is_caught_on_dynamodb(mutation: Mutation) -> None:
    verdict = check(mutation, examples=50, machine_examples=20, steps=16)
    assert verdict.caught, f"{mutation.name} ({mutation.description}) was not caught"
