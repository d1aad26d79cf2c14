"""The nemesis fast lane (every CI run, no backend): see ``machine.py``."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.nemesis.machine import NemesisMachine
from tests.property.profiles import budget


def test_nemesis_machine_keeps_every_invariant_under_faults() -> None:
    scale = budget(2.0)
    run_state_machine_as_test(
        NemesisMachine,
        settings=settings(
            max_examples=scale.examples,
            stateful_step_count=max(20, scale.steps),
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
