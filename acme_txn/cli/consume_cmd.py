"""`acme-txn consume projections|fraud|apps [--until-idle]`: the three stream consumers as one
kind of job. Each has its own consumer name, checkpoints and leases; `project`, `fraud run`
and `apps run` are the same commands under their older names."""

from __future__ import annotations

import argparse
from typing import Any

from acme_txn.cli import apps_cmd, fraud_cmd, project_cmd


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    consume = sub.add_parser(
        "consume", help="run a stream consumer: projections, fraud or apps (--until-idle)"
    )
    kinds = consume.add_subparsers(dest="consumer_kind", required=True, metavar="CONSUMER")
    projections = kinds.add_parser(
        "projections",
        parents=[common],
        help="balances, daily totals, declined index (Lambda event-source-mapping semantics)",
    )
    project_cmd.add_project_arguments(projections)
    fraud = kinds.add_parser("fraud", parents=[common], help="the fraud rules; raises alerts")
    fraud_cmd.add_run_arguments(fraud)
    apps = kinds.add_parser("apps", parents=[common], help="the loyalty and budget views")
    apps_cmd.add_run_arguments(apps)
