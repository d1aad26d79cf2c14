"""A lease holder is provably dead only on this host, with its pid gone, a zombie, or reused
by a process that started at another time; anything else is waited out."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from streams.holders import holder_dead, make_owner, process_start

HOST = socket.gethostname()


def test_given_this_live_process_then_its_owner_is_not_dead() -> None:
    assert not holder_dead(make_owner())


def test_given_an_exited_process_then_its_owner_is_dead() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert holder_dead(f"{HOST}:{proc.pid}:12345:abcd0123")
    assert holder_dead(f"{HOST}:{proc.pid}:abcd0123")  # the owner shape of older pollers


def test_given_a_killed_but_unreaped_child_then_the_zombie_is_dead() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    owner = make_owner(proc.pid)
    assert not holder_dead(owner)
    os.kill(proc.pid, signal.SIGKILL)
    for _ in range(200):  # until the kernel has made it a zombie (not a timed assertion)
        if holder_dead(owner):
            break
        time.sleep(0.01)
    try:
        assert holder_dead(owner)
    finally:
        proc.wait()


def test_given_a_reused_pid_then_the_start_time_tells_the_holders_apart() -> None:
    start = process_start(os.getpid())
    assert start is not None
    assert holder_dead(f"{HOST}:{os.getpid()}:{int(start) + 1}:abcd0123")
    assert not holder_dead(f"{HOST}:{os.getpid()}:{start}:abcd0123")


def test_given_another_host_or_an_unknown_shape_then_the_holder_is_never_called_dead() -> None:
    assert not holder_dead(f"elsewhere:{2**22 + 7}:1:abcd0123")
    assert not holder_dead("observer")
    assert not holder_dead(None)
    assert not holder_dead(f"{HOST}:not-a-pid:1:abcd0123")
