"""GIVEN offers created, sent and answered through the real ledger on DynamoDB Local (also
concurrently, also after they expire) WHEN hypothesis drives the commands THEN every outcome is
the model's and every relationship holds: a response only from PENDING, at most one, never
reset by a resend."""

from __future__ import annotations

from tests.property.offer_machine import OfferMachine
from tests.property.profiles import DYNAMODB_SCALE, machine_settings

TestOfferMachine = OfferMachine.TestCase
TestOfferMachine.settings = machine_settings(
    scale=DYNAMODB_SCALE
)  # the twins: test_twin_machines.py
