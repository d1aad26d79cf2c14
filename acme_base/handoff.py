"""A one-shot result handed from whoever computes it to whoever waits for it.

The subset of ``concurrent.futures.Future`` the group commit and the append batcher use
(``set_result``, ``set_exception``, ``done``, ``result``), without its cost when nobody has
to wait: a ``Future`` builds a ``Condition`` (a lock and a deque) on creation and notifies
it on every result, though a caller that leads its own commit (the common, single-threaded
case) finds its result already there. Here the event a waiter blocks on is made only when
a waiter arrives before the result; one module lock orders that against the setter, so a
result is never missed.
"""

from __future__ import annotations

import threading
from concurrent.futures import InvalidStateError
from typing import Generic, TypeVar

T = TypeVar("T")

#: orders a waiter's event against the setter (held for a few instructions, never while waiting)
_LOCK = threading.Lock()


class Handoff(Generic[T]):
    """A result or an exception, set once (a second set raises ``InvalidStateError``)."""

    __slots__ = ("_done", "_error", "_event", "_value")

    def __init__(self) -> None:
        self._done = False
        self._value: T | None = None
        self._error: BaseException | None = None
        self._event: threading.Event | None = None

    def done(self) -> bool:
        return self._done

    def set_result(self, value: T) -> None:
        self._settle(value, None)

    def set_exception(self, exc: BaseException) -> None:
        self._settle(None, exc)

    def _settle(self, value: T | None, error: BaseException | None) -> None:
        with _LOCK:
            if self._done:
                raise InvalidStateError("the result is already set")
            self._value, self._error = value, error
            self._done = True
            event = self._event
        if event is not None:
            event.set()

    def result(self, timeout: float | None = None) -> T:
        """The result (waiting for it, up to ``timeout`` seconds), or raise its exception."""
        if not self._done:
            with _LOCK:
                if not self._done and self._event is None:
                    self._event = threading.Event()
                event = self._event
            if event is not None and not event.wait(timeout):
                raise TimeoutError("no result yet")
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
