"""Who holds a lease, and whether that holder is provably dead.

A poller's lease owner string is ``<host>:<pid>:<start>:<nonce>``, where ``<start>`` is the
process's start time (clock ticks since boot, from ``/proc/<pid>/stat``; ``0`` where there is
no ``/proc``). A holder is *provably dead* only when it ran on this host and its pid is gone,
is a zombie, or now belongs to a process that started at another time (the pid was reused).
Anything else (another host, an owner string of another shape, no way to tell) counts as
alive: its lease is then waited out, never stolen.
"""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

UNKNOWN_START = "0"


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (field 3 onwards)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[-1].split()


def process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (None: no such process or no /proc)."""
    fields = _stat_fields(pid)
    return fields[19] if fields is not None and len(fields) > 19 else None


def make_owner(pid: int | None = None, host: str | None = None) -> str:
    """A lease owner naming this host, this process and its start time, plus a nonce."""
    pid = os.getpid() if pid is None else pid
    start = process_start(pid) or UNKNOWN_START
    return f"{host or socket.gethostname()}:{pid}:{start}:{uuid.uuid4().hex[:8]}"


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # someone else's live process
        return False
    fields = _stat_fields(pid)
    return fields is not None and fields[0] == "Z"  # a zombie runs nothing


def holder_dead(owner: str | None, host: str | None = None) -> bool:
    """Is the holder named by ``owner`` provably dead (see the module docstring)?"""
    parts = (owner or "").split(":")
    if len(parts) not in (3, 4) or parts[0] != (host or socket.gethostname()):
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    if pid <= 0:
        return False
    if _pid_gone(pid):
        return True
    if len(parts) == 4 and parts[2] != UNKNOWN_START:
        now = process_start(pid)
        return now is not None and now != parts[2]  # the pid was reused
    return False
