"""GIVEN a real DynamoDB Local ledger WHEN hypothesis drives pending transfers, holds, posts,
voids, expiry, sweeps, linked batches and post/void races THEN every invariant of
pending_machine.py holds after every step."""

from __future__ import annotations

from tests.property.pending_machine import PendingMachine
from tests.property.profiles import DYNAMODB_SCALE, machine_settings

TestPendingMachine = PendingMachine.TestCase
TestPendingMachine.settings = machine_settings(
    scale=DYNAMODB_SCALE
)  # the twins: test_twin_machines.py
