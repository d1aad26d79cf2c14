"""Mutation check: plant known bugs and show that the property suite fails for every one.

Run it (starts its own DynamoDB Local, when a chosen mutation needs one, unless
ACME_TEST_ENDPOINT is set)::

    .venv/bin/python -m tests.property.mutations            # every mutation
    .venv/bin/python -m tests.property.mutations --only idempotency_unconditional
    .venv/bin/python -m tests.property.mutations --examples 30

Each mutation (catalogued in ``mutants.py``) is a context manager that monkeypatches one
thing; for each, the relevant property tests run (pure ones first, then the state machine)
until one fails. A mutation nothing fails for is a hole in the suite: the script exits 1.
The machine runs on the in-memory twins, unless the bug is planted in a DynamoDB adapter
(``Mutation.dynamodb``: a condition or a transaction's items), then on DynamoDB Local.
``test_mutations.py`` (twins, the fast lane) and ``test_mutations_dynamodb.py`` run the cheap
ones under pytest so CI proves they are caught.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.property.mutants import BY_NAME, MUTATIONS, Mutation

Test = Callable[[], None]

__all__ = [
    "BY_NAME",
    "MUTATIONS",
    "Mutation",
    "Verdict",
    "check",
    "main",
    "needs_dynamodb",
    "print_table",
]


# --- running the suite against a mutant ---------------------------------------------------------


#: the twins run this many times the machine examples asked for (they are cheap, and some
#: planted bugs need a longer search than DynamoDB Local could afford)
TWIN_FACTOR = 4


def _quiet(parent: settings | None, examples: int, steps: int | None = None) -> settings:
    kwargs: dict[str, Any] = dict(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=True,
        phases=(Phase.explicit, Phase.generate),
        print_blob=False,
        suppress_health_check=list(HealthCheck),
    )
    if steps is not None:
        kwargs["stateful_step_count"] = steps
    return settings(parent, **kwargs)


def _pure_test(ref: str) -> Callable[[int], None]:
    module_name, func_name = ref.split(":")
    module = __import__(module_name, fromlist=[func_name])
    test = getattr(module, func_name)

    def run(examples: int) -> None:
        old = test._hypothesis_internal_use_settings
        test._hypothesis_internal_use_settings = _quiet(old, examples)
        try:
            test()
        finally:
            test._hypothesis_internal_use_settings = old

    return run


def _machine(kind: str, dynamodb: bool = False) -> type:
    """The machine of ``kind``: on DynamoDB Local (``dynamodb``), else on the twins."""
    cls = _machine_class(kind)
    if dynamodb or not hasattr(cls, "TWINS"):  # the nemesis machine has no DynamoDB lane
        return cls
    return type(f"{cls.__name__}Twins", (cls,), {"TWINS": True})


def _machine_class(kind: str) -> type:
    if kind == "customers":
        from tests.property.customer_machine import CustomerMachine

        return CustomerMachine
    if kind == "loyalty":
        from tests.property.loyalty_machine import LoyaltyMachine

        return LoyaltyMachine
    if kind == "offers":
        from tests.property.offer_machine import OfferMachine

        return OfferMachine
    if kind == "pending":
        from tests.property.pending_machine import PendingMachine

        return PendingMachine
    if kind == "nemesis":
        from tests.nemesis.machine import NemesisMachine

        return NemesisMachine
    if kind == "ledger":
        from tests.property.machine import LedgerMachine

        return LedgerMachine
    from tests.property.projecting import ProjectingLedgerMachine

    return ProjectingLedgerMachine


def _failure_types() -> tuple[type[BaseException], ...]:
    """Any exception, plus pytest's Failed (a BaseException) raised by pytest.raises/fail."""
    try:
        import pytest

        return (Exception, pytest.fail.Exception)
    except ImportError:  # pragma: no cover
        return (Exception,)


_FAILURES = _failure_types()


@dataclass
class Verdict:
    mutation: str
    caught_by: list[str]
    missed_by: list[str]
    seconds: float
    detail: str = ""

    @property
    def caught(self) -> bool:
        return bool(self.caught_by)


def check(
    mutation: Mutation,
    examples: int = 60,
    machine_examples: int = 15,
    steps: int = 20,
    every_test: bool = False,
) -> Verdict:
    """Plant the mutation and run its tests until one fails (``every_test``: run them all)."""
    started = time.monotonic()
    runs: list[tuple[str, Callable[[], None]]] = [
        (ref.split(":")[1], functools.partial(_pure_test(ref), examples)) for ref in mutation.pure
    ]
    if mutation.machine:
        cls = _machine(mutation.machine, mutation.dynamodb)
        n = machine_examples * (1 if mutation.dynamodb else TWIN_FACTOR)
        runs.append(
            (
                cls.__name__,
                lambda: run_state_machine_as_test(cls, settings=_quiet(None, n, steps)),
            )
        )
    verdict = Verdict(mutation.name, [], [], 0.0)
    with mutation.plant():
        for name, run in runs:
            try:
                run()
            except _FAILURES as exc:
                verdict.caught_by.append(name)
                verdict.detail = verdict.detail or _first_line(exc)
                if not every_test:
                    break
            else:
                verdict.missed_by.append(name)
    verdict.seconds = time.monotonic() - started
    return verdict


def _first_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip().splitlines()
    return text[0][:110] if text else type(exc).__name__


def print_table(verdicts: list[Verdict], out: Any = sys.stdout) -> None:
    width = max(len(v.mutation) for v in verdicts)
    print(
        f"| {'mutation':<{width}} | caught | caught by (first failing test) | "
        f"passed under the mutant | s |",
        file=out,
    )
    print(f"|{'-' * (width + 2)}|--------|---|---|---|", file=out)
    for v in verdicts:
        print(
            f"| {v.mutation:<{width}} | {'yes' if v.caught else '**NO**':<6} | "
            f"{', '.join(v.caught_by) or '-'} | {', '.join(v.missed_by) or '-'} | "
            f"{v.seconds:.0f} |",
            file=out,
        )
    print(file=out)
    for v in verdicts:
        if v.detail:
            print(f"{v.mutation}: {v.detail}", file=out)


def needs_dynamodb(mutation: Mutation) -> bool:
    return mutation.machine is not None and mutation.dynamodb


@contextlib.contextmanager
def _backend(needed: bool = True) -> Iterator[None]:
    from acme_base.settings import default_state_dir
    from acme_txn.backend import dynamodb_local
    from tests.property import backend as backends

    if not needed:
        yield
        return
    state_dir = default_state_dir(os.environ)
    if os.environ.get("ACME_TEST_ENDPOINT"):
        backends.use(backends.Backend(os.environ["ACME_TEST_ENDPOINT"], state_dir))
        yield
        return
    with dynamodb_local.running(state_dir) as server:
        backends.use(backends.Backend(server.endpoint, state_dir))
        yield


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BY_NAME),
        help="run only this mutation (repeatable)",
    )
    parser.add_argument("--cheap", action="store_true", help="only the ones CI runs")
    parser.add_argument("--examples", type=int, default=60, help="examples per pure test")
    parser.add_argument(
        "--machine-examples",
        type=int,
        default=15,
        help=f"state machine examples per mutation (x{TWIN_FACTOR} on the twins)",
    )
    parser.add_argument("--steps", type=int, default=20, help="steps per machine example")
    parser.add_argument(
        "--every-test",
        action="store_true",
        help="run every relevant test, not only up to the first failure",
    )
    args = parser.parse_args(argv)
    chosen = (
        [BY_NAME[n] for n in args.only]
        if args.only
        else [m for m in MUTATIONS if m.cheap or not args.cheap]
    )
    verdicts = []
    with _backend(any(needs_dynamodb(m) for m in chosen)):
        for mutation in chosen:
            verdict = check(
                mutation, args.examples, args.machine_examples, args.steps, args.every_test
            )
            print(
                f"{mutation.name}: {'caught' if verdict.caught else 'NOT CAUGHT'} "
                f"({verdict.seconds:.1f}s)",
                file=sys.stderr,
                flush=True,
            )
            verdicts.append(verdict)
    print()
    print_table(verdicts)
    return 0 if all(v.caught for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
