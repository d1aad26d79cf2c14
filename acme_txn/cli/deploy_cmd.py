"""`acme-txn package | deploy | undeploy`: the whole product from one CloudFormation template.

Thin: the work is in ``acme_txn.deploy`` (docs/deploy.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from acme_txn.cli.context import Context
from acme_txn.deploy import package
from acme_txn.deploy.commands import DeployRequest, deploy, undeploy
from acme_txn.deploy.stack import Target
from acme_txn.deploy.template import render_text


def _artifact_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--arch", choices=sorted(package.ARCHITECTURES), default="x86_64")
    parser.add_argument("--python", choices=package.PYTHONS, default="3.12")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    pkg = sub.add_parser("package", parents=[common], help="build the Lambda zip (no Docker)")
    _artifact_flags(pkg)
    pkg.add_argument("--out", type=Path, required=True, help="directory for the zip")
    pkg.add_argument(
        "--code-only", action="store_true", help="leave out the third-party dependencies"
    )
    pkg.set_defaults(func=cmd_package)

    dep = sub.add_parser(
        "deploy", parents=[common], help="package, upload and deploy the CloudFormation stack"
    )
    dep.add_argument("--stack", help="stack name (required unless --print-template)")
    dep.add_argument("--stage", default="dev")
    _artifact_flags(dep)
    dep.add_argument(
        "--dependencies",
        choices=("auto", "vendor", "none"),
        default="auto",
        help="third-party packages in the zip: auto = none for the Docker-less LocalStack "
        "(its executor uses the project's venv), else vendor",
    )
    dep.add_argument(
        "--deletion-protection",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="DynamoDB deletion protection on the tables (default on; off: a throw-away stack)",
    )
    dep.add_argument("--jwt-issuer", help="the iss of the tokens the API accepts")
    dep.add_argument("--jwt-audience", help="the aud the tokens must carry")
    dep.add_argument(
        "--jwks", type=Path, help="the issuer's JWKS file (the function URL checks tokens itself)"
    )
    dep.add_argument("--print-template", action="store_true", help="print the template, exit")
    dep.set_defaults(func=cmd_deploy)

    undep = sub.add_parser("undeploy", parents=[common], help="delete the stack")
    undep.add_argument("--stack", required=True)
    undep.add_argument(
        "--delete-tables",
        action="store_true",
        help="also delete the tables the stack keeps (ledger, views, archive): for throw-away "
        "stacks deployed with --no-deletion-protection",
    )
    undep.set_defaults(func=cmd_undeploy)


def _target(ctx: Context) -> Target:
    settings = ctx.settings
    if settings.endpoint_url and not settings.access_key:
        settings = settings.with_(access_key="test", secret_key="test")
    return Target(settings=settings, endpoint_url=settings.endpoint_url)


def cmd_package(ctx: Context) -> int:
    artifact = package.build(ctx.args.arch, ctx.args.python, vendor=not ctx.args.code_only)
    path = package.write(artifact, ctx.args.out)
    data = {
        "path": str(path),
        "sha256": artifact.sha256,
        "bytes": len(artifact.data),
        "arch": artifact.arch,
        "python": artifact.python,
        "vendored": artifact.vendored,
    }
    ctx.emit(data, f"{path}  sha256 {artifact.sha256}  {len(artifact.data)} bytes")
    return 0


def cmd_deploy(ctx: Context) -> int:
    args = ctx.args
    if args.print_template:
        sys.stdout.write(render_text())
        return 0
    if not args.stack:
        print("acme-txn deploy: --stack is required", file=sys.stderr)
        return 2
    request = DeployRequest(
        stack=args.stack,
        table_prefix=args.table_prefix or args.stack,
        stage=args.stage,
        arch=args.arch,
        python=args.python,
        dependencies=args.dependencies,
        deletion_protection=args.deletion_protection,
        jwt_issuer=args.jwt_issuer,
        jwt_audience=args.jwt_audience,
        jwks=args.jwks.read_text(encoding="utf-8") if args.jwks else None,
    )
    ctx.emit(deploy(_target(ctx), request))  # always JSON: scripts read it
    return 0


def cmd_undeploy(ctx: Context) -> int:
    ctx.emit(undeploy(_target(ctx), ctx.args.stack, delete_tables=ctx.args.delete_tables))
    return 0
