"""Deploy the ledger's stream projection as a Lambda function: to LocalStack or to real AWS.

    python localstack/deploy.py --endpoint-url http://127.0.0.1:4566 --table-prefix demo
    python localstack/deploy.py --table-prefix prod --role-arn arn:aws:iam::123:role/acme-proj

The same steps run against either; only the endpoint differs (and AWS needs a real role):

1. the tables, through ``acme_base.tables.ensure_tables`` (idempotent);
2. an SQS queue ``<prefix>-projections-onfailure``: the event source mapping's on-failure
   destination (it receives a pointer to each batch given up on, not the records);
3. the Lambda function ``<prefix>-projections``: a zip of the project packages (``acme_base
   acme_txn processor projections streams``), handler
   ``acme_txn.lambda_handlers.projection_handler``, environment
   ``ACME_TABLE_PREFIX``; with ``--vendor`` (the default on AWS) the third-party dependencies
   are added to the zip as manylinux wheels for the function's Python;
4. the event source mapping from the ledger table's stream, with ReportBatchItemFailures,
   bisect-on-error, bounded retries and record age, a filter that keeps only txn events
   (``PK`` ``ACCT#...`` and ``SK`` ``TXN#...``) and the on-failure destination.

Re-running updates what exists (code only when its hash changed), so it is safe to repeat.
Run it with the project's environment (``.venv/bin/python localstack/deploy.py ...``).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from botocore.exceptions import ClientError  # noqa: E402

from acme_base.aws import make_session  # noqa: E402
from acme_base.settings import Settings  # noqa: E402
from acme_base.tables import ensure_tables  # noqa: E402
from streams.filters import EVENTS_ONLY, FilterCriteria  # noqa: E402

PACKAGES = ("acme_base", "acme_txn", "processor", "projections", "streams")
HANDLER = "acme_txn.lambda_handlers.projection_handler"
LOCALSTACK_ROLE = "arn:aws:iam::000000000000:role/acme-txn-projections"
#: already in the Lambda Python runtime, or only needed outside Lambda
NOT_VENDORED = ("boto3", "botocore", "localstack-client")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same code gives the same hash


def log(message: str) -> None:
    print(f"[deploy] {message}", file=sys.stderr, flush=True)


# --- the code bundle -------------------------------------------------------------------------
def _add_tree(bundle: zipfile.ZipFile, base: Path, package: str) -> None:
    top = base / package
    for path in [top] if top.is_file() else sorted(top.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
            continue
        info = zipfile.ZipInfo(str(path.relative_to(base)), ZIP_EPOCH)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        bundle.writestr(info, path.read_bytes())


def vendored_requirements() -> list[str]:
    """The project's runtime dependencies, as pinned in pyproject.toml, minus NOT_VENDORED."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return [d for d in deps if not any(d.lower().startswith(n) for n in NOT_VENDORED)]


def vendor_dependencies(target: Path, python_version: str, arch: str) -> None:
    platform = "manylinux2014_x86_64" if arch == "x86_64" else "manylinux2014_aarch64"
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
        "--target",
        str(target),
        "--implementation",
        "cp",
        "--python-version",
        python_version,
        "--platform",
        platform,
        "--only-binary=:all:",
        *vendored_requirements(),
    ]
    log(f"vendoring {' '.join(vendored_requirements())} for Python {python_version}/{arch}")
    subprocess.run(cmd, check=True)


def build_zip(vendor: bool, runtime: str, arch: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as bundle:
        for package in PACKAGES:
            _add_tree(bundle, ROOT, package)
        if vendor:
            with tempfile.TemporaryDirectory() as tmp:
                vendor_dependencies(Path(tmp), runtime.removeprefix("python"), arch)
                for top in sorted(p.name for p in Path(tmp).iterdir()):
                    if top != "bin":
                        _add_tree(bundle, Path(tmp), top)
    return buf.getvalue()


# --- AWS resources ---------------------------------------------------------------------------
def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def ensure_queue(sqs: Any, name: str) -> str:
    url = sqs.create_queue(QueueName=name, Attributes={"MessageRetentionPeriod": "1209600"})
    arn = sqs.get_queue_attributes(QueueUrl=url["QueueUrl"], AttributeNames=["QueueArn"])
    return str(arn["Attributes"]["QueueArn"])


def ensure_function(lam: Any, args: argparse.Namespace, code: bytes) -> tuple[str, str]:
    """Create or update the function; returns (its ARN, 'created'|'updated'|'unchanged')."""
    environment = {
        "Variables": {
            "ACME_TABLE_PREFIX": args.table_prefix,
            "POWERTOOLS_SERVICE_NAME": "acme-txn-streams",
            **dict(args.env),
        }
    }
    if args.lambda_endpoint_url:
        environment["Variables"]["AWS_ENDPOINT_URL"] = args.lambda_endpoint_url
    config = {
        "Role": args.role_arn,
        "Handler": args.handler,
        "Runtime": args.runtime,
        "Timeout": args.timeout,
        "MemorySize": args.memory,
        "Environment": environment,
        "Description": "acme-txn: project ledger events into the read models",
    }
    try:
        current = lam.get_function(FunctionName=args.function_name)["Configuration"]
    except ClientError as exc:
        if _code(exc) != "ResourceNotFoundException":
            raise
        fn = lam.create_function(
            FunctionName=args.function_name,
            Code={"ZipFile": code},
            Architectures=[args.arch],
            PackageType="Zip",
            **config,
        )
        lam.get_waiter("function_active_v2").wait(FunctionName=args.function_name)
        return str(fn["FunctionArn"]), "created"
    status = "unchanged"
    sha = base64.b64encode(hashlib.sha256(code).digest()).decode()
    if current.get("CodeSha256") != sha:
        lam.update_function_code(FunctionName=args.function_name, ZipFile=code)
        lam.get_waiter("function_updated_v2").wait(FunctionName=args.function_name)
        status = "updated"
    if any(current.get(k) != v for k, v in config.items() if k != "Environment") or (
        current.get("Environment", {}).get("Variables") != environment["Variables"]
    ):
        lam.update_function_configuration(FunctionName=args.function_name, **config)
        lam.get_waiter("function_updated_v2").wait(FunctionName=args.function_name)
        status = "updated"
    return str(current["FunctionArn"]), status


def mapping_settings(args: argparse.Namespace, queue_arn: str) -> dict[str, Any]:
    return {
        "BatchSize": args.batch_size,
        "MaximumBatchingWindowInSeconds": args.batching_window,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": args.max_retry_attempts,
        "MaximumRecordAgeInSeconds": args.max_record_age,
        "ParallelizationFactor": args.parallelization_factor,
        "FilterCriteria": FilterCriteria([EVENTS_ONLY]).to_esm(),  # only txn events
        "DestinationConfig": {"OnFailure": {"Destination": queue_arn}},
    }


def ensure_mapping(
    lam: Any, function: str, stream_arn: str, settings: dict[str, Any]
) -> tuple[str, str]:
    found = lam.list_event_source_mappings(EventSourceArn=stream_arn, FunctionName=function)
    mappings = found.get("EventSourceMappings", [])
    if mappings:
        uuid = str(mappings[0]["UUID"])
        lam.update_event_source_mapping(UUID=uuid, FunctionName=function, Enabled=True, **settings)
        status = "updated"
    else:
        created = lam.create_event_source_mapping(
            EventSourceArn=stream_arn,
            FunctionName=function,
            Enabled=True,
            StartingPosition="TRIM_HORIZON",
            **settings,
        )
        uuid, status = str(created["UUID"]), "created"
    deadline = time.monotonic() + 120
    while True:
        state = lam.get_event_source_mapping(UUID=uuid)["State"]
        if state == "Enabled":
            return uuid, status
        if time.monotonic() > deadline:
            raise SystemExit(f"event source mapping {uuid} stuck in state {state}")
        time.sleep(0.5)


# --- main ------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint-url", help="LocalStack (or other) endpoint; none means AWS")
    p.add_argument(
        "--localstack",
        action="store_true",
        help="use the LocalStack endpoint localstack_client finds "
        "(LOCALSTACK_HOST / EDGE_PORT, default localhost:4566)",
    )
    p.add_argument("--table-prefix", default=os.environ.get("ACME_TABLE_PREFIX", "acme"))
    p.add_argument("--region", default=None, help="default AWS_REGION or us-east-1")
    p.add_argument("--role-arn", help="the function's execution role (required on AWS)")
    p.add_argument("--function-name", help="default <prefix>-projections")
    p.add_argument("--handler", default=HANDLER)
    p.add_argument("--runtime", default="python3.12")
    p.add_argument("--arch", choices=["x86_64", "arm64"], default="x86_64")
    p.add_argument("--timeout", type=int, default=60)
    p.add_argument("--memory", type=int, default=512)
    p.add_argument(
        "--env",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="extra environment variable of the function (repeatable)",
    )
    p.add_argument(
        "--lambda-endpoint-url",
        help="AWS_ENDPOINT_URL for the function (default: none on AWS; LocalStack "
        "injects its own, right for its executor)",
    )
    vendor = p.add_mutually_exclusive_group()
    vendor.add_argument(
        "--vendor",
        dest="vendor",
        action="store_true",
        default=None,
        help="put pydantic/powertools wheels in the zip (default on AWS)",
    )
    vendor.add_argument(
        "--no-vendor",
        dest="vendor",
        action="store_false",
        help="code only (the host executor runs it with the project's venv)",
    )
    esm = p.add_argument_group("event source mapping")
    esm.add_argument("--batch-size", type=int, default=100)
    esm.add_argument("--batching-window", type=int, default=0)
    esm.add_argument("--max-retry-attempts", type=int, default=10)
    esm.add_argument("--max-record-age", type=int, default=86400)
    esm.add_argument("--parallelization-factor", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    args = p.parse_args(argv)
    if args.localstack and not args.endpoint_url:
        from localstack_client.config import get_service_endpoint

        args.endpoint_url = get_service_endpoint("lambda")
    args.function_name = args.function_name or f"{args.table_prefix}-projections"
    if args.vendor is None:
        args.vendor = not args.endpoint_url
    if not args.role_arn:
        if not args.endpoint_url:
            p.error("--role-arn is required when deploying to AWS (no --endpoint-url)")
        args.role_arn = LOCALSTACK_ROLE
    return args


def settings_for(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env(
        os.environ,
        table_prefix=args.table_prefix,
        region=args.region,
        endpoint_url=args.endpoint_url,
    )
    if args.endpoint_url and not settings.access_key:
        settings = settings.with_(access_key="test", secret_key="test")  # LocalStack's dummies
    return settings


def deploy(args: argparse.Namespace) -> dict[str, Any]:
    settings = settings_for(args)
    session = make_session(settings)

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=args.endpoint_url)

    ddb, lam, sqs = client("dynamodb"), client("lambda"), client("sqs")
    tables = ensure_tables(ddb, settings)
    log(f"tables: {tables}")
    stream_arn = str(
        ddb.describe_table(TableName=settings.ledger_table)["Table"]["LatestStreamArn"]
    )
    queue_arn = ensure_queue(sqs, f"{args.table_prefix}-projections-onfailure")
    log(f"on-failure queue: {queue_arn}")
    code = build_zip(args.vendor, args.runtime, args.arch)
    function_arn, fn_status = ensure_function(lam, args, code)
    log(f"function {args.function_name}: {fn_status} ({len(code) // 1024} KiB zip)")
    uuid, esm_status = ensure_mapping(
        lam, args.function_name, stream_arn, mapping_settings(args, queue_arn)
    )
    log(f"event source mapping {uuid}: {esm_status}")
    return {
        "endpoint_url": args.endpoint_url,
        "table_prefix": args.table_prefix,
        "tables": tables,
        "stream_arn": stream_arn,
        "on_failure_queue": queue_arn,
        "function_arn": function_arn,
        "function": fn_status,
        "mapping_uuid": uuid,
        "mapping": esm_status,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = deploy(args)
    except ClientError as exc:
        log(f"failed: {exc}")
        return 1
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
