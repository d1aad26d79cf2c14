"""GIVEN a ledger whose events reach the real projector through a faulty stream (duplicates,
reordering within and across batches, crashes before the checkpoint, throttling, a failing
write mid-batch) and through the real stream poller WHEN hypothesis drives writes and
deliveries THEN the read models always hold a consistent prefix of the log, and equal its
fold after every drain."""

from __future__ import annotations

import pytest

from tests.property.profiles import DYNAMODB_SCALE, machine_settings
from tests.property.projecting import HAVE_PROJECTOR, ProjectingLedgerMachine

pytestmark = pytest.mark.skipif(not HAVE_PROJECTOR, reason="projections/ not built yet")

TestProjectingLedgerMachine = ProjectingLedgerMachine.TestCase
#: the twins (test_twin_machines.py) carry the search; here each example also drives DynamoDB
#: Streams through the real poller on fresh tables (~13 s an example), so fewer of them
TestProjectingLedgerMachine.settings = machine_settings(scale=DYNAMODB_SCALE * 0.6)
