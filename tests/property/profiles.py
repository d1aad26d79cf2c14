"""How much the state machines run under each hypothesis profile (HYPOTHESIS_PROFILE).

The pure properties use the profile's ``max_examples`` directly (tests/conftest.py). The
machines run bounded examples: ``examples`` runs of at most ``steps`` rules each, times
``TWIN_SCALE`` on the in-memory twins (test_twin_machines.py, the fast lane) and
``DYNAMODB_SCALE`` on DynamoDB Local (~100 two-item transactions/s on 2 shared cores).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, settings


@dataclass(frozen=True)
class Budget:
    examples: int
    steps: int


BUDGETS = {
    "dev": Budget(examples=6, steps=12),
    "ci": Budget(examples=20, steps=20),
    "deep": Budget(examples=300, steps=40),
}


#: examples of the machines on the in-memory twins (the fast lane), as a multiple of the budget
TWIN_SCALE = 2.0
#: examples of their DynamoDB Local lanes: enough for DynamoDB's own conditions and
#: transactions to meet the machines' rules; the twins carry the search
DYNAMODB_SCALE = 0.25


def profile() -> str:
    return os.environ.get("HYPOTHESIS_PROFILE", "dev")


def budget(scale: float = 1.0) -> Budget:
    base = BUDGETS.get(profile(), BUDGETS["dev"])
    return Budget(max(1, round(base.examples * scale)), base.steps)


def machine_settings(scale: float = 1.0, **overrides: object) -> settings:
    """Settings for a state machine: the loaded profile, bounded by its budget.

    Under ``ci`` a failure is reported unshrunk (shrinking against a real database can take
    many minutes): the step list and a ``@reproduce_failure`` blob are printed; rerun it
    locally under ``dev`` to shrink."""
    b = budget(scale)
    if profile() == "ci":
        overrides.setdefault("phases", (Phase.explicit, Phase.reuse, Phase.generate))
    return settings(
        max_examples=b.examples,
        stateful_step_count=b.steps,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
        **overrides,  # type: ignore[arg-type]
    )
