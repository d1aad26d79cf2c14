"""GIVEN a module of pure logic (decide/evolve, the folds, the batch and filter rules, keys,
options) WHEN it is imported in a fresh interpreter THEN neither boto3, botocore nor
aws_lambda_powertools is loaded: pure code stays testable and cheap to import (a Lambda's cold
start, the CLI's --help) and cannot reach the network by accident.

One fresh interpreter imports them all (in this process other tests have long loaded boto3),
then names every heavy package it holds; only if there is one does a fresh interpreter per
module find which module brought it in.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("boto3", "botocore", "aws_lambda_powertools")

PURE_MODULES = [
    "acme_base.errors",
    "acme_base.settings",
    "acme_base.keys",
    "acme_base.retry",
    "processor.domain.commands",
    "processor.domain.parsing",
    "processor.domain.events",
    "processor.domain.money",
    "processor.domain.decide",
    "processor.domain.decide_money",  # the split of decide/commands/events (issue 11, round 2)
    "processor.domain.evolve",
    "processor.domain.account_state",
    "processor.domain.command_base",
    "processor.domain.command_accounts",
    "processor.domain.command_money",
    "processor.domain.command_pending",
    "processor.domain.event_base",
    "processor.domain.event_money",
    "processor.domain.event_pending",
    "processor.domain.event_lifecycle",
    "processor.reads.balance_read",  # the one balance document (balance, GET .../balance)
    "processor.domain.checks",  # reading a deposited check (ABA routing, amount in words)
    "processor.domain.currency",  # issue 11: currencies, limits, lifecycle, metadata, versions
    "processor.domain.limits",
    "processor.domain.lifecycle",
    "processor.domain.metadata",
    "processor.storage.upcasting",
    "processor.services.ordering",
    "processor.domain.outcomes",
    "processor.storage.codec",
    "processor.services.config",
    "processor.reads.views",
    "processor.storage.ports",  # the event store port
    "processor.domain.pending_model",  # issue 11: two-phase transfers, holds, linked batches
    "processor.domain.pending",
    "processor.services.pending_jobs",
    "processor.storage.pending_index",  # the open-pending markers of the sweeper's index
    "processor.domain.linked",
    "processor.services.linked_jobs",
    "processor.storage.memory",  # and its in-memory twin
    "processor.services.ledger",  # the Ledger: dispatch, one optimistic loop, group commit
    "processor.customers.model",  # customers: phones, states, statuses, updates
    "processor.customers.commands",
    "processor.customers.items",
    "processor.customers.service",
    "processor.customers.memory",  # the customer store's in-memory twin
    "processor.offers.model",  # offers: ids, dates, TTL
    "processor.offers.commands",
    "processor.offers.ports",  # the offer store port
    "processor.offers.memory",  # and its in-memory twin
    "processor.offers.service",  # the offer rules
    "processor.offers.queries",
    "processor.services.appends",
    "processor.services.jobs",
    "processor.services.group_commit",
    "processor.storage.paging",  # the bank's queries: tokens, rows, txn details
    "processor.reads.query_rows",
    "processor.storage.txn_details",
    "processor.domain.archive",  # archival: the cut, the steps, the merged history (pure)
    "projections.model",
    "projections.plan",
    "projections.items",
    "projections.ports",  # the view store port
    "projections.memory",  # and its in-memory twin
    "projections.config",
    "projections.projector",  # the projector's rules
    "projections.reconcile",
    "projections.rebuild",
    "projections.reports",
    "streams.batches",
    "streams.filters",
    "streams.keys",
    "streams.config",
    "streams.windows",  # issue 12: Lambda's tumbling windows in the local poller
    "projections.fraud.config",  # the fraud rules: thresholds, profiles, rules, engine
    "projections.fraud.model",
    "projections.fraud.rules",
    "projections.fraud.ports",
    "projections.fraud.memory",
    "projections.fraud.engine",
]

PROBE = (
    "import importlib, json, sys\n"
    "for name in sys.argv[1:]:\n"
    "    importlib.import_module(name)\n"
    "print(json.dumps(sorted(sys.modules)))"
)


def loaded_after_import(*modules: str) -> list[str]:
    """``sorted(sys.modules)`` of a fresh interpreter that imported only ``modules``."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"import {modules} failed:\n{proc.stderr}"
    names: list[str] = json.loads(proc.stdout)
    return names


def heavy_in(loaded: list[str]) -> list[str]:
    return [name for name in loaded if name.split(".")[0] in HEAVY]


def test_given_the_pure_modules_when_imported_fresh_then_no_aws_sdk_is_loaded() -> None:
    # GIVEN a fresh interpreter WHEN it imports every pure module
    loaded = loaded_after_import(*PURE_MODULES)
    # THEN all of them are there and none of the heavy packages (nor any of their submodules)
    assert set(PURE_MODULES) <= set(loaded)
    if heavy_in(loaded):  # name the culprits, one fresh interpreter each
        culprits = {m: heavy_in(loaded_after_import(m))[:3] for m in PURE_MODULES}
        assert {m: h for m, h in culprits.items() if h} == {}


def test_given_an_adapter_module_when_imported_fresh_then_the_probe_does_see_boto3() -> None:
    # GIVEN the AWS adapter WHEN imported fresh with the pure modules THEN boto3 shows up: the
    # probe can fail
    assert "boto3" in loaded_after_import(*PURE_MODULES[:3], "acme_base.aws")
