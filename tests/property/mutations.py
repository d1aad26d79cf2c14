"""Mutation check: plant known bugs and show that the property suite fails for every one.

Run it (starts its own DynamoDB Local unless ACME_TEST_ENDPOINT is set)::

    .venv/bin/python -m tests.property.mutations            # every mutation
    .venv/bin/python -m tests.property.mutations --only idempotency_unconditional
    .venv/bin/python -m tests.property.mutations --examples 30

Each mutation is a context manager that monkeypatches one thing; for each, the relevant
property tests run (pure ones first, then the state machine) until one fails. A mutation
nothing fails for is a hole in the suite: the script exits 1. ``test_mutations.py`` runs the
cheap ones under pytest so CI proves they are caught.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from processor import decide as decide_mod
from processor import money as money_mod
from processor.commands import Debit, Transfer
from processor.events import FundsDebited, TransferReceived
from processor.store import EventStore

Test = Callable[[], None]


@dataclass(frozen=True)
class Mutation:
    name: str
    description: str
    plant: Callable[[], contextlib.AbstractContextManager[Any]]
    pure: tuple[str, ...] = ()  # "module:function" of @given tests
    machine: str | None = None  # "ledger" | "projecting"
    cheap: bool = False  # run under pytest in CI
    tags: tuple[str, ...] = field(default_factory=tuple)


# --- the planted bugs ----------------------------------------------------------------------------

@contextlib.contextmanager
def _replace_everywhere(original: Any, replacement: Any) -> Iterator[None]:
    """Rebind every module-level name bound to ``original`` (``from x import f`` copies)."""
    with contextlib.ExitStack() as stack:
        for module in list(sys.modules.values()):
            names = [k for k, v in list(getattr(module, "__dict__", {}).items())
                     if v is original]
            for name in names:
                stack.enter_context(mock.patch.object(module, name, replacement))
        yield


@contextlib.contextmanager
def _debit_skips_balance_check() -> Iterator[None]:
    real = decide_mod._single

    def single(states: Any, cmd: Any, now: Any) -> Any:
        if isinstance(cmd, Debit):
            state = decide_mod._account(states, cmd.account_id, cmd)
            fields: dict[str, Any] = decide_mod._common(state, cmd, now)
            return FundsDebited(**fields, balance_after=state.balance - int(fields["amount"]))
        return real(states, cmd, now)

    with mock.patch.object(decide_mod, "_single", single):
        yield


@contextlib.contextmanager
def _transfer_in_balance_wrong() -> Iterator[None]:
    """The receiver's balance_after forgets the amount (a classic copy-paste bug)."""
    real = decide_mod._transfer

    def transfer(states: Any, cmd: Transfer, now: Any) -> Any:
        events = real(states, cmd, now)
        if len(events) == 2:
            leg = events[1]
            events[1] = TransferReceived(**{**leg.model_dump(), "balance_after":
                                            leg.balance_after - leg.amount})
        return events

    with mock.patch.object(decide_mod, "_transfer", transfer):
        yield


@contextlib.contextmanager
def _declined_transfer_still_credits() -> Iterator[None]:
    """A declined transfer still credits the receiver: money created from nothing."""
    real = decide_mod._transfer

    def transfer(states: Any, cmd: Transfer, now: Any) -> Any:
        events = real(states, cmd, now)
        if len(events) == 1:
            receiver = states[cmd.to_account]
            amount = money_mod.to_minor(cmd.amount)
            events.append(TransferReceived(
                **decide_mod._common(receiver, cmd, now),
                balance_after=receiver.balance + amount, counterparty=cmd.from_account))
        return events

    with mock.patch.object(decide_mod, "_transfer", transfer):
        yield


@contextlib.contextmanager
def _idempotency_unconditional() -> Iterator[None]:
    """The idempotency record is put without attribute_not_exists: retries write again."""
    real = EventStore._put

    def put(self: EventStore, item: dict[str, Any]) -> dict[str, Any]:
        action = real(self, item)
        if str(item.get("PK", "")).startswith("TXN#"):
            del action["Put"]["ConditionExpression"]
        return action

    with mock.patch.object(EventStore, "_put", put):
        yield


@contextlib.contextmanager
def _event_put_unconditional() -> Iterator[None]:
    """Events are put without attribute_not_exists: two writers can take one seq."""
    real = EventStore._put

    def put(self: EventStore, item: dict[str, Any]) -> dict[str, Any]:
        action = real(self, item)
        if str(item.get("PK", "")).startswith("ACCT#") and str(item.get("SK", "")).startswith(
                "TXN#"):
            del action["Put"]["ConditionExpression"]
        return action

    with mock.patch.object(EventStore, "_put", put):
        yield


@contextlib.contextmanager
def _duplicate_answers_current_state() -> Iterator[None]:
    """A retry is answered with a fresh outcome instead of the original one."""
    from processor import service

    def as_duplicate(original: Any) -> Any:
        return original.model_copy(update={"status": "duplicate", "seq": None,
                                           "balance_after": None})

    with mock.patch.object(service, "as_duplicate", as_duplicate):
        yield


@contextlib.contextmanager
def _to_minor_rounds() -> Iterator[None]:
    def to_minor(amount: Decimal) -> int:
        return round(amount * money_mod.MINOR_PER_UNIT)

    with _replace_everywhere(money_mod.to_minor, to_minor):
        yield


@contextlib.contextmanager
def _codec_drops_declined_key() -> Iterator[None]:
    from processor import codec

    real = codec.event_to_item

    def event_to_item(event: Any) -> dict[str, Any]:
        item = real(event)
        item.pop("txn_declined_reason", None)
        return item

    with _replace_everywhere(real, event_to_item):
        yield


@contextlib.contextmanager
def _projector_without_guard() -> Iterator[None]:
    """The balance update loses its ``applied_seq = n-1`` condition: redeliveries re-apply."""
    from projections.projector import Projector

    real = Projector._actions

    def actions(self: Any, chunk: Any) -> list[dict[str, Any]]:
        out = real(self, chunk)
        update = out[0]["Update"]
        update.pop("ConditionExpression", None)
        update.pop("ReturnValuesOnConditionCheckFailure", None)
        values = update["ExpressionAttributeValues"]
        values.pop(":prev", None)
        return out

    with mock.patch.object(Projector, "_actions", actions):
        yield


@contextlib.contextmanager
def _projector_ignores_gaps() -> Iterator[None]:
    """A gap is not healed: the batch's events are applied as if they were contiguous."""
    from projections import projector
    from projections.plan import Run

    def plan_run(applied_seq: int, batch: Any, fetch: Any) -> Any:
        fresh = [e for e in batch if e.seq > applied_seq]
        return Run(applied_seq, tuple(fresh), len(batch) - len(fresh), 0)

    with mock.patch.object(projector, "plan_run", plan_run):
        yield


@contextlib.contextmanager
def _projector_drops_declined_entries() -> Iterator[None]:
    from projections.plan import Chunk

    real = Chunk.add

    def add(self: Any, event: Any) -> None:
        real(self, event)
        self.declined.clear()

    with mock.patch.object(Chunk, "add", add):
        yield


@contextlib.contextmanager
def _open_event_txn_id_collides() -> Iterator[None]:
    """The bug the suite found (fixed in processor/decide.py): the AccountOpened event's txn
    id was ``open-<account>``, a valid client txn id, so a credit could reuse it."""
    real = decide_mod._open

    def open_(states: Any, cmd: Any, now: Any) -> Any:
        event = real(states, cmd, now)
        return event.model_copy(update={"txn_id": f"open-{cmd.account_id}"})

    with mock.patch.object(decide_mod, "_open", open_):
        yield


DECIDE = "tests.unit.test_properties_decide"
MUTATIONS: tuple[Mutation, ...] = (
    Mutation("debit_skips_balance_check", "decide approves every debit (no balance check)",
             _debit_skips_balance_check,
             pure=(f"{DECIDE}:test_one_command_obeys_the_rules",
                   f"{DECIDE}:test_decided_histories_keep_every_invariant"),
             machine="ledger", cheap=True),
    Mutation("transfer_in_balance_wrong", "the receiver's balance_after omits the amount",
             _transfer_in_balance_wrong,
             pure=(f"{DECIDE}:test_evolve_after_decide_equals_the_decided_balance",),
             machine="ledger", cheap=True),
    Mutation("declined_transfer_credits", "a declined transfer still credits the receiver",
             _declined_transfer_still_credits,
             pure=(f"{DECIDE}:test_one_command_obeys_the_rules",), machine="ledger",
             cheap=True),
    Mutation("to_minor_rounds", "Decimal -> cents rounds sub-cent amounts instead of refusing",
             _to_minor_rounds,
             pure=("tests.unit.test_properties_money:test_to_minor_refuses_sub_cent_amounts",),
             cheap=True),
    Mutation("codec_drops_declined_key", "events lose the sparse txn_declined_reason key",
             _codec_drops_declined_key,
             pure=("tests.unit.test_properties_codec:"
                   "test_item_keys_and_sparse_index_follow_the_event",), cheap=True),
    Mutation("idempotency_unconditional", "EventStore puts the TXN# record unconditionally",
             _idempotency_unconditional, machine="ledger", cheap=True),
    Mutation("duplicate_answers_fresh", "a retry gets a new outcome, not the original's fields",
             _duplicate_answers_current_state, machine="ledger", cheap=True),
    Mutation("event_put_unconditional", "events are put without attribute_not_exists(PK)",
             _event_put_unconditional, machine="ledger"),
    Mutation("open_txn_id_collides", "(the found bug) AccountOpened's txn id is 'open-<id>'",
             _open_event_txn_id_collides, machine="ledger"),
    Mutation("projector_without_guard", "the balance update has no applied_seq guard",
             _projector_without_guard, machine="projecting", cheap=True),
    Mutation("projector_ignores_gaps", "a gap is not healed from the event table",
             _projector_ignores_gaps, machine="projecting"),
    Mutation("projector_drops_declined", "declined events never reach the declined index",
             _projector_drops_declined_entries, machine="projecting"),
)
BY_NAME = {m.name: m for m in MUTATIONS}


# --- running the suite against a mutant ---------------------------------------------------------

def _quiet(parent: settings | None, examples: int, steps: int | None = None) -> settings:
    kwargs: dict[str, Any] = dict(
        max_examples=examples, database=None, deadline=None, derandomize=True,
        phases=(Phase.explicit, Phase.generate), print_blob=False,
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


def _machine(kind: str) -> type:
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


def check(mutation: Mutation, examples: int = 60, machine_examples: int = 15,
          steps: int = 20, every_test: bool = False) -> Verdict:
    """Plant the mutation and run its tests until one fails (``every_test``: run them all)."""
    started = time.monotonic()
    runs: list[tuple[str, Callable[[], None]]] = [
        (ref.split(":")[1], functools.partial(_pure_test(ref), examples))
        for ref in mutation.pure]
    if mutation.machine:
        cls = _machine(mutation.machine)
        runs.append((cls.__name__, lambda: run_state_machine_as_test(
            cls, settings=_quiet(None, machine_examples, steps))))
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
    print(f"| {'mutation':<{width}} | caught | caught by (first failing test) | "
          f"passed under the mutant | s |", file=out)
    print(f"|{'-' * (width + 2)}|--------|---|---|---|", file=out)
    for v in verdicts:
        print(f"| {v.mutation:<{width}} | {'yes' if v.caught else '**NO**':<6} | "
              f"{', '.join(v.caught_by) or '-'} | {', '.join(v.missed_by) or '-'} | "
              f"{v.seconds:.0f} |", file=out)
    print(file=out)
    for v in verdicts:
        if v.detail:
            print(f"{v.mutation}: {v.detail}", file=out)


@contextlib.contextmanager
def _backend() -> Iterator[None]:
    from acme_txn.backend import dynamodb_local
    from acme_txn.settings import default_state_dir
    from tests.property import backend as backends

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
    parser.add_argument("--only", action="append", choices=sorted(BY_NAME),
                        help="run only this mutation (repeatable)")
    parser.add_argument("--cheap", action="store_true", help="only the ones CI runs")
    parser.add_argument("--examples", type=int, default=60, help="examples per pure test")
    parser.add_argument("--machine-examples", type=int, default=15,
                        help="state machine examples per mutation")
    parser.add_argument("--steps", type=int, default=20, help="steps per machine example")
    parser.add_argument("--every-test", action="store_true",
                        help="run every relevant test, not only up to the first failure")
    args = parser.parse_args(argv)
    chosen = [BY_NAME[n] for n in args.only] if args.only else [
        m for m in MUTATIONS if m.cheap or not args.cheap]
    verdicts = []
    with _backend():
        for mutation in chosen:
            verdict = check(mutation, args.examples, args.machine_examples, args.steps,
                            args.every_test)
            print(f"{mutation.name}: {'caught' if verdict.caught else 'NOT CAUGHT'} "
                  f"({verdict.seconds:.1f}s)", file=sys.stderr, flush=True)
            verdicts.append(verdict)
    print()
    print_table(verdicts)
    return 0 if all(v.caught for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
