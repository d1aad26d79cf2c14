"""GIVEN a known bug planted by monkeypatching (see mutations.py) WHEN the relevant property
tests run against it THEN at least one of them fails: the suite is not vacuous.

Only the cheap mutations run here (few examples, no shrinking); the full table comes from
``.venv/bin/python -m tests.property.mutations``. This module runs those whose machine runs on
the in-memory twins (the fast lane); test_mutations_dynamodb.py those planted in a DynamoDB
adapter."""

from __future__ import annotations

import pytest

from tests.property.mutations import MUTATIONS, Mutation, check, needs_dynamodb
from tests.property.projecting import HAVE_PROJECTOR

TWINS = True  # tests/property/conftest.py: no DynamoDB Local for this module

CHEAP = [m for m in MUTATIONS if m.cheap and (m.machine != "projecting" or HAVE_PROJECTOR)]
ON_TWINS = [m for m in CHEAP if not needs_dynamodb(m)]


@pytest.mark.parametrize("mutation", ON_TWINS, ids=[m.name for m in ON_TWINS])
def test_planted_bug_is_caught(mutation: Mutation) -> None:
    verdict = check(mutation, examples=50)  # the machines: as the full table, 4x on the twins
    assert verdict.caught, f"{mutation.name} ({mutation.description}) was not caught"
