"""The Lambda artifact: our packages plus the pinned runtime dependencies for the Lambda
platform, as a reproducible zip (sorted entries, fixed timestamps and modes: the same inputs
give the same bytes, hence the same sha256). No Docker: pip fetches manylinux wheels for the
target (``--platform --python-version --implementation cp --only-binary=:all:``)."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from acme_base.errors import BackendError, InvalidInput

ROOT = Path(__file__).resolve().parents[2]
#: in the Lambda Python runtime already (boto3/botocore), or only needed outside Lambda
#: (the LocalStack client; charts and exports of the CLI, imported lazily there)
NOT_VENDORED = ("boto3", "botocore", "localstack-client", "matplotlib", "pyarrow", "duckdb")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
ARCHITECTURES = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
PYTHONS = ("3.12", "3.13")


@dataclass(frozen=True)
class Artifact:
    data: bytes
    arch: str
    python: str
    vendored: bool

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def name(self) -> str:
        deps = "" if self.vendored else "-code-only"
        return f"acme-txn-lambda-py{self.python}-{self.arch}{deps}-{self.sha256[:12]}.zip"


def packages(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """Our top-level packages: setuptools' ``packages.find`` includes (``acme_base*`` ...)."""
    config = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["packages"]["find"]
    tops = {pattern.rstrip("*.") for pattern in config["include"]}
    return sorted(t for t in tops if (pyproject.parent / t / "__init__.py").is_file())


def runtime_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The pinned runtime dependencies from pyproject.toml, minus NOT_VENDORED."""
    deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    return sorted(d for d in deps if not d.lower().startswith(NOT_VENDORED))


def _files(base: Path, top: str) -> list[Path]:
    root = base / top
    paths = [root] if root.is_file() else sorted(root.rglob("*"))
    return [
        p
        for p in paths
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    ]


def _entries(bases: list[tuple[Path, str]]) -> list[tuple[str, Path]]:
    entries = {str(p.relative_to(base)): p for base, top in bases for p in _files(base, top)}
    return sorted(entries.items())


def _zip(entries: list[tuple[str, Path]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as bundle:
        for name, path in entries:
            info = zipfile.ZipInfo(name, ZIP_EPOCH)
            mode = 0o755 if path.stat().st_mode & 0o100 else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, whatever the building host
            bundle.writestr(info, path.read_bytes())
    return buf.getvalue()


def pip_command(target: Path, python: str, arch: str) -> list[str]:
    """pip installing the runtime dependencies as wheels for the Lambda platform."""
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    cmd += ["--no-compile", "--target", str(target), "--implementation", "cp"]
    cmd += ["--python-version", python, "--platform", ARCHITECTURES[arch]]
    return [*cmd, "--only-binary=:all:", *runtime_requirements()]


def _vendor(target: Path, python: str, arch: str) -> None:
    done = subprocess.run(
        pip_command(target, python, arch), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackendError(f"pip could not fetch the Lambda dependencies:\n{done.stderr[-2000:]}")


def build(arch: str = "x86_64", python: str = "3.12", vendor: bool = True) -> Artifact:
    """The zip for ``python``/``arch``; ``vendor=False`` leaves the dependencies out (for the
    Docker-less LocalStack, whose executor runs handlers in the project's own venv)."""
    if arch not in ARCHITECTURES:
        raise InvalidInput(f"--arch must be one of {sorted(ARCHITECTURES)}, not {arch!r}")
    if python not in PYTHONS:
        raise InvalidInput(f"--python must be one of {list(PYTHONS)}, not {python!r}")
    bases = [(ROOT, top) for top in packages()]
    with tempfile.TemporaryDirectory() as tmp:
        if vendor:
            _vendor(Path(tmp), python, arch)
            bases += [(Path(tmp), p.name) for p in sorted(Path(tmp).iterdir()) if p.name != "bin"]
        data = _zip(_entries(bases))
    return Artifact(data=data, arch=arch, python=python, vendored=vendor)


def write(artifact: Artifact, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / artifact.name
    path.write_bytes(artifact.data)
    return path
