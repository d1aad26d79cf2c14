"""Progress for long work (seeding, consuming, charts, exports), on stderr and only when
stderr is a terminal: a pipe, a file or a test sees nothing.

``with progress("fraud seed", lambda: f"{done} commands"):`` redraws ``label: text`` in place
every ``every`` seconds from a daemon thread, and clears the line at the end, so the command's
own answer on stdout is all that stays.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO


def on_terminal(stream: TextIO) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


@contextmanager
def progress(
    label: str,
    read: Callable[[], str],
    *,
    stream: TextIO | None = None,
    every: float = 0.5,
) -> Iterator[None]:
    """Show ``label: read()`` (and the seconds so far) while the block runs."""
    out = stream if stream is not None else sys.stderr
    if not on_terminal(out):
        yield
        return
    stop = threading.Event()
    started = time.monotonic()

    def draw() -> None:
        while not stop.wait(every):
            elapsed = time.monotonic() - started
            print(f"\r\x1b[2K{label}: {read()} ({elapsed:.0f}s)", end="", file=out, flush=True)

    thread = threading.Thread(target=draw, daemon=True, name="progress")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        print("\r\x1b[2K", end="", file=out, flush=True)
