"""The state machines on the in-memory twins, in the fast lane (no server): the same rules and
invariants as on DynamoDB Local (test_*_machine.py, a smaller lane that keeps DynamoDB's own
conditions and transactions meeting the machines), at ``TWIN_SCALE`` times the profile's budget. The
twins are held to the DynamoDB adapters by the contract suites (tests/contract). What only
DynamoDB Local can do (a second OS process, botocore's retries, the stream poller, a server
restart) stays in its lane."""

from __future__ import annotations

from tests.property.customer_machine import CustomerMachine
from tests.property.loyalty_machine import LoyaltyMachine
from tests.property.machine import LedgerMachine
from tests.property.offer_machine import OfferMachine
from tests.property.pending_machine import PendingMachine
from tests.property.profiles import TWIN_SCALE, machine_settings
from tests.property.projecting import ProjectingLedgerMachine

TWINS = True  # tests/property/conftest.py: no DynamoDB Local for this module


class LedgerTwins(LedgerMachine):
    TWINS = True


class ProjectingTwins(ProjectingLedgerMachine):
    TWINS = True


class CustomerTwins(CustomerMachine):
    TWINS = True


class PendingTwins(PendingMachine):
    TWINS = True


class OfferTwins(OfferMachine):
    TWINS = True


class LoyaltyTwins(LoyaltyMachine):
    TWINS = True


TestLedgerTwins = LedgerTwins.TestCase
TestLedgerTwins.settings = machine_settings(scale=TWIN_SCALE)
TestProjectingTwins = ProjectingTwins.TestCase
TestProjectingTwins.settings = machine_settings(scale=TWIN_SCALE)
TestCustomerTwins = CustomerTwins.TestCase
TestCustomerTwins.settings = machine_settings(scale=TWIN_SCALE)
TestPendingTwins = PendingTwins.TestCase
TestPendingTwins.settings = machine_settings(scale=TWIN_SCALE)
TestOfferTwins = OfferTwins.TestCase
TestOfferTwins.settings = machine_settings(scale=TWIN_SCALE)
TestLoyaltyTwins = LoyaltyTwins.TestCase
TestLoyaltyTwins.settings = machine_settings(scale=TWIN_SCALE)
