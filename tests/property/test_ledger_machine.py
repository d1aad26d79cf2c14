"""GIVEN a real DynamoDB Local ledger WHEN hypothesis drives random commands, retries, bursts
and faults THEN every ledger invariant holds after every step (see machine.py)."""

from __future__ import annotations

from tests.property.machine import LedgerMachine
from tests.property.profiles import DYNAMODB_SCALE, machine_settings

TestLedgerMachine = LedgerMachine.TestCase
TestLedgerMachine.settings = machine_settings(
    scale=DYNAMODB_SCALE
)  # the twins: test_twin_machines.py
