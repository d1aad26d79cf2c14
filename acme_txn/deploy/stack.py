"""Create, update and delete the stack: package, upload, change set, waiters, outputs.

Every AWS call goes through ``acme_base.aws.call`` (the one botocore boundary). A failed
stack raises ``DeployFailed`` naming the resources that failed and CloudFormation's reasons.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from botocore.config import Config

from acme_base.aws import call, client_config, make_session
from acme_base.errors import BackendError, TableMissing
from acme_base.settings import Settings
from acme_txn.deploy.package import Artifact
from acme_txn.deploy.template import render

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
WAIT = {"Delay": 2, "MaxAttempts": 900}  # up to 30 minutes (tables with many indexes)


class DeployFailed(BackendError):
    """CloudFormation could not create, update or delete the stack."""


class StackMissing(BackendError):
    """DescribeStacks: no such stack (``ValidationError``)."""


@dataclass(frozen=True)
class Target:
    """Where to deploy: settings (region, credentials), the endpoint (None = AWS)."""

    settings: Settings
    endpoint_url: str | None

    def client(self, service: str) -> Any:
        config = client_config(self.settings)
        if service == "s3" and self.endpoint_url:
            config = config.merge(Config(s3={"addressing_style": "path"}))
        session = make_session(self.settings)
        return session.client(service, endpoint_url=self.endpoint_url, config=config)


def upload(target: Target, artifact: Artifact) -> tuple[str, str]:
    """Put the zip in the account's artifact bucket (made if missing) under a key naming its
    hash, so unchanged code leaves ``CodeKey`` (and the functions) unchanged."""
    sts, s3 = target.client("sts"), target.client("s3")
    account = call("read the account id", sts.get_caller_identity)["Account"]
    bucket = f"acme-txn-artifacts-{account}-{target.settings.region}"
    location = {}
    if target.settings.region != "us-east-1":
        location = {"CreateBucketConfiguration": {"LocationConstraint": target.settings.region}}
    ok = {"BucketAlreadyOwnedByYou": BackendError}
    try:
        call(f"create bucket {bucket}", s3.create_bucket, expect=ok, Bucket=bucket, **location)
    except BackendError as exc:
        if "BucketAlreadyOwnedByYou" not in str(exc):
            raise
    key = f"lambda/{artifact.name}"
    call(f"upload {key}", s3.put_object, Bucket=bucket, Key=key, Body=artifact.data)
    return bucket, key


def stack_status(cfn: Any, stack: str) -> str | None:
    try:
        found = call(
            f"describe stack {stack}",
            cfn.describe_stacks,
            expect={"ValidationError": StackMissing},
            StackName=stack,
        )
    except StackMissing:
        return None
    return str(found["Stacks"][0]["StackStatus"])


def failure_reasons(cfn: Any, stack: str, since: float) -> list[str]:
    """``LogicalId STATUS: reason`` for every failed event of this run, oldest first."""
    try:
        events = call(f"read events of {stack}", cfn.describe_stack_events, StackName=stack)
    except BackendError:
        return []
    lines = []
    for event in reversed(events.get("StackEvents", [])):
        stamp = event.get("Timestamp")
        if stamp is not None and stamp.timestamp() < since - 5:
            continue
        reason = event.get("ResourceStatusReason")
        if str(event.get("ResourceStatus", "")).endswith("FAILED") and reason:
            lines.append(f"{event['LogicalResourceId']} {event['ResourceStatus']}: {reason}")
    return lines


def _wait(cfn: Any, waiter: str, stack: str, since: float) -> None:
    try:
        call(
            f"wait for {stack}",
            cfn.get_waiter(waiter).wait,
            StackName=stack,
            WaiterConfig=WAIT,
        )
    except BackendError as exc:
        reasons = failure_reasons(cfn, stack, since) or [str(exc)]
        status = stack_status(cfn, stack)
        raise DeployFailed(f"stack {stack} ended {status}:\n  " + "\n  ".join(reasons)) from exc


def _change_set(cfn: Any, stack: str, kind: str, parameters: dict[str, str]) -> str | None:
    """Create the change set; None when it would change nothing (then it is deleted)."""
    name = f"acme-{time.strftime('%Y%m%d%H%M%S')}"
    body = json.dumps(render(), separators=(",", ":"), sort_keys=True)
    call(
        f"create change set for {stack}",
        cfn.create_change_set,
        StackName=stack,
        ChangeSetName=name,
        ChangeSetType=kind,
        TemplateBody=body,
        Capabilities=CAPABILITIES,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
    )
    try:
        call(
            f"wait for change set {name}",
            cfn.get_waiter("change_set_create_complete").wait,
            StackName=stack,
            ChangeSetName=name,
            WaiterConfig={"Delay": 1, "MaxAttempts": 300},
        )
    except BackendError as exc:
        described = call(
            "describe change set", cfn.describe_change_set, StackName=stack, ChangeSetName=name
        )
        reason = str(described.get("StatusReason", ""))
        if any(marker in reason for marker in NO_CHANGES):
            call("delete change set", cfn.delete_change_set, StackName=stack, ChangeSetName=name)
            return None
        raise DeployFailed(f"change set for {stack} failed: {reason or exc}") from exc
    return name


def apply(target: Target, stack: str, parameters: dict[str, str]) -> str:
    """Create or update ``stack`` through a change set; 'created', 'updated' or 'unchanged'."""
    cfn = target.client("cloudformation")
    status = stack_status(cfn, stack)
    if status == "ROLLBACK_COMPLETE":  # a failed first create: CloudFormation cannot update it
        delete(target, stack)
        status = None
    kind = "CREATE" if status in (None, "REVIEW_IN_PROGRESS") else "UPDATE"
    since = time.time()
    name = _change_set(cfn, stack, kind, parameters)
    if name is None:
        return "unchanged"
    call("execute change set", cfn.execute_change_set, StackName=stack, ChangeSetName=name)
    waiter = "stack_create_complete" if kind == "CREATE" else "stack_update_complete"
    _wait(cfn, waiter, stack, since)
    return "created" if kind == "CREATE" else "updated"


def delete(target: Target, stack: str) -> str:
    """Delete ``stack``: 'deleted', or 'absent' when there was none."""
    cfn = target.client("cloudformation")
    if stack_status(cfn, stack) is None:
        return "absent"
    since = time.time()
    call(f"delete stack {stack}", cfn.delete_stack, StackName=stack)
    try:
        _wait(cfn, "stack_delete_complete", stack, since)
    except DeployFailed:
        # LocalStack reports DELETE_FAILED for resources a rolled-back stack never made, and
        # removes the stack anyway a moment later: gone is what was asked for
        if not _gone_soon(cfn, stack):
            raise
    return "deleted"


def _gone_soon(cfn: Any, stack: str, seconds: float = 10.0) -> bool:
    """Does the stack disappear within ``seconds``? (On AWS DELETE_FAILED is final: this only
    delays the error.)"""
    deadline = time.monotonic() + seconds
    while stack_status(cfn, stack) not in (None, "DELETE_COMPLETE"):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def protected_tables(target: Target, names: list[str]) -> list[str]:
    """Those of ``names`` that exist with deletion protection on."""
    ddb = target.client("dynamodb")
    found = []
    for name in names:
        try:
            table = call(f"describe table {name}", ddb.describe_table, TableName=name)["Table"]
        except TableMissing:
            continue
        if table.get("DeletionProtectionEnabled"):
            found.append(name)
    return found


def delete_tables(target: Target, names: list[str]) -> list[str]:
    """Delete the tables the stack retained (``names``); the ones deleted, waited for."""
    ddb = target.client("dynamodb")
    deleted = []
    for name in names:
        try:
            call(f"delete table {name}", ddb.delete_table, TableName=name)
        except TableMissing:
            continue
        ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig=WAIT)
        deleted.append(name)
    return deleted


def outputs(target: Target, stack: str) -> dict[str, str]:
    cfn = target.client("cloudformation")
    found = call(f"describe stack {stack}", cfn.describe_stacks, StackName=stack)
    return {o["OutputKey"]: o["OutputValue"] for o in found["Stacks"][0].get("Outputs", [])}


def api_url(target: Target, out: dict[str, str]) -> str:
    """The API's base URL: the HTTP API's on AWS; on an endpoint (LocalStack) the function
    URL, host-routed: ``http://<id>.lambda-url.<region>.localhost:4566`` (curl and browsers
    resolve ``*.localhost`` to 127.0.0.1; other clients send that Host to 127.0.0.1)."""
    if target.endpoint_url and "FunctionUrl" in out:
        url_id = out["FunctionUrl"].split("://", 1)[1].split(".", 1)[0]
        port = target.endpoint_url.rstrip("/").rsplit(":", 1)[-1]
        return f"http://{url_id}.lambda-url.{target.settings.region}.localhost:{port}"
    return out["ApiUrl"]
