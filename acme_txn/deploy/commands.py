"""``deploy`` and ``undeploy`` end to end, returning the JSON the CLI prints."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from acme_base.errors import InvalidInput
from acme_txn.deploy import package, stack
from acme_txn.deploy.safety import KEPT_TABLES
from acme_txn.deploy.stack import Target
from acme_txn.deploy.tables import logical_id
from acme_txn.deploy.template import PARAMETERS

STACK_NAME = "[A-Za-z][A-Za-z0-9-]{0,127}"
#: the template's AllowedPattern of each parameter
STAGE = PARAMETERS["Stage"]["AllowedPattern"]
TABLE_PREFIX = PARAMETERS["TablePrefix"]["AllowedPattern"]


@dataclass(frozen=True)
class DeployRequest:
    stack: str
    table_prefix: str
    stage: str = "dev"
    arch: str = "x86_64"
    python: str = "3.12"
    #: "auto": leave the dependencies out only for the Docker-less LocalStack (its executor
    #: runs handlers in the project's venv, where manylinux wheels for 3.12 would not load)
    dependencies: str = "auto"
    deletion_protection: bool = True
    #: who issues the API's tokens (stack parameters ``JwtIssuer``, ``JwtAudience``, and
    #: ``JwtJwks``, the keys' JSON, for the function URL); None: the template's defaults
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwks: str | None = None

    def __post_init__(self) -> None:
        """Refused here, before anything is built: CloudFormation checks the template's
        patterns too, LocalStack does not (docs/deploy.md)."""
        for what, value, pattern in (
            ("--stack", self.stack, STACK_NAME),
            ("--stage", self.stage, STAGE),
            ("--table-prefix", self.table_prefix, TABLE_PREFIX),
        ):
            if not re.fullmatch(pattern, value):
                raise InvalidInput(f"{what} {value!r} must match {pattern}")


def host_localstack_running(endpoint_url: str | None, env: dict[str, str]) -> bool:
    """Is ``endpoint_url`` the Docker-less LocalStack of ``localstack/host/start.sh``?"""
    if not endpoint_url or not any(h in endpoint_url for h in ("://127.", "://localhost")):
        return False
    cache = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    home = Path(env.get("ACME_LOCALSTACK_HOME") or Path(cache) / "acme-txn")
    try:
        os.kill(int((home / "localstack-run" / "pid").read_text().strip()), 0)
    except (OSError, ValueError):
        return False
    return True


def _vendor(request: DeployRequest, target: Target) -> bool:
    if request.dependencies != "auto":
        return request.dependencies == "vendor"
    return not host_localstack_running(target.endpoint_url, dict(os.environ))


def deploy(target: Target, request: DeployRequest) -> dict[str, Any]:
    started = time.monotonic()
    artifact = package.build(request.arch, request.python, vendor=_vendor(request, target))
    bucket, key = stack.upload(target, artifact)
    parameters = {
        "Stage": request.stage,
        "TablePrefix": request.table_prefix,
        "CodeBucket": bucket,
        "CodeKey": key,
        "Architecture": request.arch,
        "PythonRuntime": f"python{request.python}",
        "DeletionProtection": "true" if request.deletion_protection else "false",
        "EnableFunctionUrl": "true" if target.endpoint_url else "false",
    }
    for name, value in (
        ("JwtIssuer", request.jwt_issuer),
        ("JwtAudience", request.jwt_audience),
        ("JwtJwks", request.jwks),
    ):
        if value:
            parameters[name] = value
    status = stack.apply(target, request.stack, parameters)
    out = stack.outputs(target, request.stack)
    return {
        "stack": request.stack,
        "status": status,
        "api_url": stack.api_url(target, out),
        "tables": {
            name: out[f"{name.title()}Table"] for name in ("ledger", "views", "streams", "archive")
        },
        "functions": {
            "projections": out["ProjectionFunction"],
            "api": out["ApiFunction"],
            "fraud": out["FraudFunction"],
            "apps": out["AppsFunction"],
            "expire_pending": out["SweeperFunction"],
        },
        "mapping_uuid": out["MappingUuid"],  # the projection's (kept for round-1 callers)
        "mapping_uuids": {
            "projections": out["MappingUuid"],
            "fraud": out["FraudMappingUuid"],
            "apps": out["AppsMappingUuid"],
        },
        "on_failure_queue_url": out["OnFailureQueueUrl"],
        "on_failure_queue_urls": {
            "projections": out["OnFailureQueueUrl"],
            "fraud": out["FraudOnFailureQueueUrl"],
            "apps": out["AppsOnFailureQueueUrl"],
        },
        "schedules": {"expire_pending": out["SweepScheduleName"]},
        "artifact": {
            "bucket": bucket,
            "key": key,
            "sha256": artifact.sha256,
            "bytes": len(artifact.data),
            "vendored": artifact.vendored,
        },
        "seconds": round(time.monotonic() - started, 1),
    }


def undeploy(target: Target, stack_name: str, *, delete_tables: bool = False) -> dict[str, Any]:
    """Delete the stack. The tables holding money or customers are retained by it; with
    ``delete_tables`` they are deleted too (a throw-away stack), refused before anything is
    deleted if any still has deletion protection on."""
    started = time.monotonic()
    kept = _retained_tables(target, stack_name)
    if delete_tables:
        protected = stack.protected_tables(target, kept)
        if protected:
            raise InvalidInput(
                f"tables {', '.join(protected)} have deletion protection on: turn it off "
                "(deploy --no-deletion-protection) before undeploy --delete-tables"
            )
    status = stack.delete(target, stack_name)
    deleted = stack.delete_tables(target, kept) if delete_tables else []
    return {
        "stack": stack_name,
        "status": status,
        "tables_deleted": deleted,
        "tables_retained": [t for t in kept if t not in deleted],
        "seconds": round(time.monotonic() - started, 1),
    }


def _retained_tables(target: Target, stack_name: str) -> list[str]:
    """The names of the stack's tables it keeps when deleted (none: no such stack)."""
    if stack.stack_status(target.client("cloudformation"), stack_name) is None:
        return []
    out = stack.outputs(target, stack_name)
    return [out[logical_id(s)] for s in sorted(KEPT_TABLES) if logical_id(s) in out]
