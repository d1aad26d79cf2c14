"""The group commit's and the batcher's hand-off (``acme_base.handoff``): a result set once,
seen by a waiter that came before it or after it, in the same thread or another."""

from __future__ import annotations

import threading
from concurrent.futures import InvalidStateError

import pytest

from acme_base.handoff import Handoff


def test_given_a_result_set_first_when_read_then_it_is_there_without_waiting() -> None:
    handoff: Handoff[int] = Handoff()
    handoff.set_result(7)
    assert handoff.done()
    assert handoff.result() == 7


def test_given_a_waiter_in_another_thread_when_the_result_comes_then_it_wakes_with_it() -> None:
    handoff: Handoff[str] = Handoff()
    got: list[str] = []
    waiter = threading.Thread(target=lambda: got.append(handoff.result()))
    waiter.start()
    handoff.set_result("approved")
    waiter.join(timeout=10)
    assert got == ["approved"]


def test_given_many_waiters_and_setters_racing_then_no_result_is_missed() -> None:
    handoffs: list[Handoff[int]] = [Handoff() for _ in range(300)]
    got: list[int] = []
    waiters = [threading.Thread(target=lambda h=h: got.append(h.result())) for h in handoffs]
    for waiter in waiters:
        waiter.start()
    for n, handoff in enumerate(handoffs):
        handoff.set_result(n)
    for waiter in waiters:
        waiter.join(timeout=10)
    assert sorted(got) == list(range(300))


def test_given_an_exception_when_read_then_it_is_raised() -> None:
    handoff: Handoff[int] = Handoff()
    handoff.set_exception(KeyError("lost"))
    assert handoff.done()
    with pytest.raises(KeyError):
        handoff.result()


def test_given_a_result_when_set_again_then_refused_and_the_first_kept() -> None:
    handoff: Handoff[int] = Handoff()
    handoff.set_result(1)
    with pytest.raises(InvalidStateError):
        handoff.set_exception(ValueError("late"))
    with pytest.raises(InvalidStateError):
        handoff.set_result(2)
    assert handoff.result() == 1


def test_given_no_result_when_waited_with_a_timeout_then_it_times_out() -> None:
    handoff: Handoff[int] = Handoff()
    with pytest.raises(TimeoutError):
        handoff.result(timeout=0.01)
    assert not handoff.done()
