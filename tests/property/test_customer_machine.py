"""GIVEN customers registered, updated and given accounts through the real ledger on DynamoDB
Local (also concurrently, on two ledgers) WHEN hypothesis drives the commands THEN every
outcome is the model's, phones stay unique, the special-status indicator is present iff a
status is, and an opening for an unknown customer writes nothing (see customer_machine.py)."""

from __future__ import annotations

from tests.property.customer_machine import CustomerMachine
from tests.property.profiles import DYNAMODB_SCALE, machine_settings

TestCustomerMachine = CustomerMachine.TestCase
TestCustomerMachine.settings = machine_settings(
    scale=DYNAMODB_SCALE
)  # the twins: test_twin_machines.py
