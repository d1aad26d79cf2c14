"""Start, find and stop an embedded DynamoDB Local server.

Each server gets a run dir of its own, ``<state dir>/servers/dynamodb-local-<port>-<random>/``,
holding its log. A clean ``stop`` removes both; a server that failed to start, or died on its
own before ``stop``, keeps them (the error names the log) so the failure can be read.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from acme_base.errors import BackendUnavailable, ConfigError

STATE_FILE = "local.json"
SERVERS_DIR = "servers"  # one run dir per server, under the state dir
LOG_NAME = "server.log"


@dataclass(frozen=True)
class LocalServer:
    endpoint: str
    pid: int
    port: int
    data_dir: str | None
    log_file: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(endpoint: str, timeout: float = 1.0) -> bool:
    """True once the server answers HTTP (any status: DynamoDB answers 400 to a bare GET)."""
    import urllib.error  # here, not at the top: `acme-txn local status` answers at once
    import urllib.request

    try:
        urllib.request.urlopen(endpoint, timeout=timeout)
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False
    return True


def start(
    state_dir: Path,
    port: int | None = None,
    data_dir: Path | None = None,
    ready_timeout: float = 60.0,
) -> LocalServer:
    """Launch DynamoDB Local in its own session (it outlives the caller) and wait until ready."""
    from acme_txn.backend.install import ensure_dynamodb_local, find_java

    java = find_java()
    home = ensure_dynamodb_local(state_dir)
    sweep_legacy_logs(state_dir)
    port = port or free_port()
    args = [
        java,
        "-Djava.library.path=DynamoDBLocal_lib",
        "-jar",
        "DynamoDBLocal.jar",
        "-port",
        str(port),
        "-disableTelemetry",
    ]
    if data_dir is None:
        args.append("-inMemory")
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        args += ["-dbPath", str(data_dir.resolve())]
    log_file = _run_dir(state_dir, port) / LOG_NAME
    with open(log_file, "wb") as log:
        proc = subprocess.Popen(
            args,
            cwd=home,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + ready_timeout
    while not answers(endpoint):
        if proc.poll() is not None:
            tail = log_file.read_text(errors="replace")[-800:]
            raise BackendUnavailable(
                f"DynamoDB Local exited with {proc.returncode} (log kept at {log_file}): {tail}"
            )
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise BackendUnavailable(
                f"DynamoDB Local did not answer on {endpoint} in time (log kept at {log_file})"
            )
        time.sleep(0.1)
    return LocalServer(endpoint, proc.pid, port, str(data_dir) if data_dir else None, str(log_file))


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_pid(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it lingers; reaps the child if it is ours."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _run_dir(state_dir: Path, port: int) -> Path:
    """A fresh dir for one server's log (unique even when a port is reused)."""
    servers = state_dir / SERVERS_DIR
    servers.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"dynamodb-local-{port}-", dir=servers))


def _exited_already(pid: int) -> bool:
    """The server is gone (or a zombie child of ours) before we asked it to stop."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not our child (`local stop` from another process)
        return not pid_alive(pid)
    return reaped == pid


def sweep_legacy_logs(state_dir: Path) -> None:
    """Remove the ``dynamodb-local-<port>.log`` files that earlier versions left in the state
    dir itself (never removed by them), except the log of the server ``local start`` recorded.
    """
    with contextlib.suppress(ConfigError):
        saved = load_state(state_dir)
        keep = Path(saved.log_file) if saved else None
        for log in state_dir.glob("dynamodb-local-*.log"):
            if log != keep:
                with contextlib.suppress(OSError):
                    log.unlink()


def discard_log(server: LocalServer) -> None:
    """Remove the server's log, and its run dir if ``start`` made one."""
    log = Path(server.log_file)
    with contextlib.suppress(FileNotFoundError):
        log.unlink()
    if log.parent.parent.name == SERVERS_DIR:
        with contextlib.suppress(OSError):
            log.parent.rmdir()


def stop(server: LocalServer) -> None:
    """Stop the server; a clean stop removes its log, one that died on its own keeps it."""
    crashed = _exited_already(server.pid)
    stop_pid(server.pid)
    if not crashed:
        discard_log(server)


@contextlib.contextmanager
def running(
    state_dir: Path, port: int | None = None, data_dir: Path | None = None
) -> Iterator[LocalServer]:
    server = start(state_dir, port=port, data_dir=data_dir)
    try:
        yield server
    finally:
        stop(server)


# --- the background server behind `acme-txn local start|stop|status` ---------------------------


def save_state(state_dir: Path, server: LocalServer) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / STATE_FILE).write_text(json.dumps(asdict(server)))


def load_state(state_dir: Path) -> LocalServer | None:
    path = state_dir / STATE_FILE
    if not path.is_file():
        return None
    try:
        return LocalServer(**json.loads(path.read_text()))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"corrupt local backend state file {path}: {exc}") from exc


def clear_state(state_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (state_dir / STATE_FILE).unlink()


def running_server(state_dir: Path) -> LocalServer | None:
    """The background server started by `local start`, if it is still alive and answering."""
    server = load_state(state_dir)
    if server is None or not pid_alive(server.pid) or not answers(server.endpoint):
        return None
    return server
