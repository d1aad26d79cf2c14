"""The state machines of pending transfers, offers and loyalty on the in-memory twins: the same
rules and invariants as on DynamoDB Local (test_*_machine.py, a smaller lane), at twice the
examples, in the fast lane (no server). The twins are held to the DynamoDB adapters by the
contract suites (tests/contract)."""

from __future__ import annotations

from tests.property.loyalty_machine import LoyaltyMachine
from tests.property.offer_machine import OfferMachine
from tests.property.pending_machine import PendingMachine
from tests.property.profiles import machine_settings

TWINS = True  # tests/property/conftest.py: no DynamoDB Local for this module


class PendingTwins(PendingMachine):
    TWINS = True


class OfferTwins(OfferMachine):
    TWINS = True


class LoyaltyTwins(LoyaltyMachine):
    TWINS = True


TestPendingTwins = PendingTwins.TestCase
TestPendingTwins.settings = machine_settings(scale=2)
TestOfferTwins = OfferTwins.TestCase
TestOfferTwins.settings = machine_settings(scale=2)
TestLoyaltyTwins = LoyaltyTwins.TestCase
TestLoyaltyTwins.settings = machine_settings(scale=2)
