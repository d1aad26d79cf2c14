"""GIVEN loyalty EARNs and REDEEMs through the real ledger on DynamoDB Local (also delivered
several times at once, also redelivered to the projector) WHEN hypothesis drives them THEN the
points never go negative, every repeat is a duplicate, and the view, tier and indexes equal the
fold of the log."""

from __future__ import annotations

from tests.property.loyalty_machine import LoyaltyMachine
from tests.property.profiles import DYNAMODB_SCALE, machine_settings

TestLoyaltyMachine = LoyaltyMachine.TestCase
TestLoyaltyMachine.settings = machine_settings(
    scale=DYNAMODB_SCALE
)  # the twins: test_twin_machines.py
