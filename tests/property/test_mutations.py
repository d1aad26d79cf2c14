"""GIVEN a known bug planted by monkeypatching (see mutations.py) WHEN the relevant property
tests run against it THEN at least one of them fails: the suite is not vacuous.

Only the cheap mutations run here (few examples, no shrinking); the full table comes from
``.venv/bin/python -m tests.property.mutations``."""

from __future__ import annotations

import pytest

from tests.property.mutations import MUTATIONS, Mutation, check
from tests.property.projecting import HAVE_PROJECTOR

CHEAP = [m for m in MUTATIONS if m.cheap and (m.machine != "projecting" or HAVE_PROJECTOR)]


@pytest.mark.parametrize("mutation", CHEAP, ids=[m.name for m in CHEAP])
def test_planted_bug_is_caught(mutation: Mutation) -> None:
    verdict = check(mutation, examples=50, machine_examples=10, steps=16)
    assert verdict.caught, f"{mutation.name} ({mutation.description}) was not caught"
