"""``outcome_of`` builds the outcome from the decided events without validating it again: every
outcome a workload gets (approved, declined for each reason it meets, opened, blocked, pending,
transfers) is the very model validation would give, field for field, set fields included."""

from __future__ import annotations

from acme_base.settings import Settings
from acme_txn.bootstrap import bootstrap
from acme_txn.workload import (
    WorkloadSpec,
    block_commands,
    customer_commands,
    funding_commands,
    mixed_commands,
    opening_commands,
    unblock_commands,
)


def test_given_a_mixed_workload_then_each_outcome_equals_its_validated_self() -> None:
    app = bootstrap(Settings(), memory=True)
    spec = WorkloadSpec(accounts=8, prefix="O")
    outcomes = []
    for phase in (customer_commands, opening_commands, funding_commands, block_commands):
        outcomes += [app.ledger.submit_raw(cmd) for cmd in phase(spec)]
    outcomes += [app.ledger.submit_raw(cmd) for cmd in mixed_commands(spec)]
    outcomes += [app.ledger.submit_raw(cmd) for cmd in unblock_commands(spec)]
    statuses = {o.status for o in outcomes}
    assert {"opened", "approved", "declined", "blocked"} <= statuses
    assert {o.reason for o in outcomes if o.status == "declined"} - {None}
    for outcome in outcomes:
        validated = type(outcome)(**{n: getattr(outcome, n) for n in outcome.model_fields_set})
        assert validated == outcome
        assert validated.model_fields_set == outcome.model_fields_set
        assert validated.model_dump_json() == outcome.model_dump_json()
        assert {type(v) for v in outcome.model_dump().values()} <= {str, int, list, type(None)}
        assert type(outcome.reason) in (str, type(None))
