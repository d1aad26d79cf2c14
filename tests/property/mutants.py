"""The catalogue of planted bugs (mutants) that ``mutations.py`` runs the property suite against.

Each mutation is a context manager that monkeypatches one thing, named with the pure tests and
the state machine that should catch it.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from unittest import mock

from processor.domain import decide as decide_mod
from processor.domain import money as money_mod
from processor.domain.commands import Debit, Transfer
from processor.domain.events import FundsDebited, TransferReceived
from processor.storage.store import DynamoEventStore
from tests.property import (
    analyst_mutants,
    api_mutants,
    archive_mutants,
    batch_mutants,
    bench_mutants,
    budget_mutants,
    cli_mutants,
    currency_mutants,
    customer_mutants,
    fraud_mutants,
    input_mutants,
    loyalty_mutants,
    nemesis_mutants,
    offer_mutants,
    pending_mutants,
    rules_mutants,
    time_mutants,
)


@dataclass(frozen=True)
class Mutation:
    name: str
    description: str
    plant: Callable[[], contextlib.AbstractContextManager[Any]]
    pure: tuple[str, ...] = ()  # "module:function" of @given tests
    machine: str | None = None  # "ledger" | "projecting" | "offers" | ... (see mutations.py)
    cheap: bool = False  # run under pytest in CI
    #: the bug is planted in a DynamoDB adapter (a condition, a transaction's items): its
    #: machine runs on DynamoDB Local; every other machine mutant runs on the in-memory twins
    dynamodb: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)


# --- the planted bugs ----------------------------------------------------------------------------


@contextlib.contextmanager
def _archive_snapshot_wrong_balance() -> Iterator[None]:
    from processor.domain import archive as archive_mod

    real = archive_mod.snapshot_at

    def snapshot_at(*args: Any, **kwargs: Any) -> Any:
        snap = real(*args, **kwargs)
        return replace(snap, balance_after=snap.balance_after + 1)

    with mock.patch.object(archive_mod, "snapshot_at", snapshot_at):
        yield


@contextlib.contextmanager
def _archive_deletes_without_archiving() -> Iterator[None]:
    from processor.services.archiver import Archiver
    from processor.storage.archive_memory import MemoryArchiveStore
    from processor.storage.archive_store import DynamoArchiveStore

    with contextlib.ExitStack() as stack:
        for cls in (MemoryArchiveStore, DynamoArchiveStore):
            stack.enter_context(mock.patch.object(cls, "put", lambda self, events: 0))
        stack.enter_context(mock.patch.object(Archiver, "_check_archive", lambda *a: None))
        yield


@contextlib.contextmanager
def _replace_everywhere(original: Any, replacement: Any) -> Iterator[None]:
    """Rebind every module-level name bound to ``original`` (``from x import f`` copies)."""
    with contextlib.ExitStack() as stack:
        for module in list(sys.modules.values()):
            names = [k for k, v in list(getattr(module, "__dict__", {}).items()) if v is original]
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
            events[1] = replace(leg, balance_after=leg.balance_after - leg.amount)
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
            events.append(
                TransferReceived(
                    **decide_mod._common(receiver, cmd, now),
                    balance_after=receiver.balance + amount,
                    counterparty=cmd.from_account,
                )
            )
        return events

    with mock.patch.object(decide_mod, "_transfer", transfer):
        yield


@contextlib.contextmanager
def _idempotency_unconditional() -> Iterator[None]:
    """The idempotency record is put without attribute_not_exists: retries write again."""
    real = DynamoEventStore._put

    def put(self: DynamoEventStore, item: dict[str, Any]) -> dict[str, Any]:
        action = real(self, item)
        if str(item.get("PK", "")).startswith("TXN#"):
            del action["Put"]["ConditionExpression"]
        return action

    with mock.patch.object(DynamoEventStore, "_put", put):
        yield


@contextlib.contextmanager
def _event_put_unconditional() -> Iterator[None]:
    """Events are put without attribute_not_exists: two writers can take one seq."""
    real = DynamoEventStore._put

    def put(self: DynamoEventStore, item: dict[str, Any]) -> dict[str, Any]:
        action = real(self, item)
        if str(item.get("PK", "")).startswith("ACCT#") and str(item.get("SK", "")).startswith(
            "TXN#"
        ):
            del action["Put"]["ConditionExpression"]
        return action

    with mock.patch.object(DynamoEventStore, "_put", put):
        yield


@contextlib.contextmanager
def _duplicate_answers_current_state() -> Iterator[None]:
    """A retry is answered with a fresh outcome instead of the original one."""
    from processor.services import jobs

    def as_duplicate(original: Any) -> Any:
        return original.model_copy(
            update={"status": "duplicate", "seq": None, "balance_after": None}
        )

    with mock.patch.object(jobs, "as_duplicate", as_duplicate):
        yield


@contextlib.contextmanager
def _to_minor_rounds() -> Iterator[None]:
    def to_minor(amount: Decimal) -> int:
        return round(amount * money_mod.MINOR_PER_UNIT)

    with _replace_everywhere(money_mod.to_minor, to_minor):
        yield


@contextlib.contextmanager
def _codec_drops_declined_key() -> Iterator[None]:
    from processor.storage import codec

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
    from projections.views import DynamoViewStore

    real = DynamoViewStore._actions

    def actions(self: Any, chunk: Any) -> list[dict[str, Any]]:
        out = real(self, chunk)
        update = out[0]["Update"]
        update.pop("ConditionExpression", None)
        update.pop("ReturnValuesOnConditionCheckFailure", None)
        values = update["ExpressionAttributeValues"]
        values.pop(":prev", None)
        return out

    with mock.patch.object(DynamoViewStore, "_actions", actions):
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
    """The bug the suite found (fixed in processor/domain/decide.py): the AccountOpened event's txn
    id was ``open-<account>``, a valid client txn id, so a credit could reuse it."""
    real = decide_mod._open

    def open_(states: Any, cmd: Any, now: Any) -> Any:
        event = real(states, cmd, now)
        return replace(event, txn_id=f"open-{cmd.account_id}")

    with mock.patch.object(decide_mod, "_open", open_):
        yield


@contextlib.contextmanager
def _blocked_account_still_debited() -> Iterator[None]:
    """decide forgets the block for debits: a blocked account is debited like any other."""
    from dataclasses import replace

    real = decide_mod._single

    def single(states: Any, cmd: Any, now: Any) -> Any:
        state = states.get(getattr(cmd, "account_id", None))
        if isinstance(cmd, Debit) and state is not None and state.blocked:
            event = real({**states, cmd.account_id: replace(state, blocked=False)}, cmd, now)
            return replace(event, blocked=True)
        return real(states, cmd, now)

    with mock.patch.object(decide_mod, "_single", single):
        yield


@contextlib.contextmanager
def _illegible_check_credited() -> Iterator[None]:
    """Every check reads: an illegible check is credited like a good one."""
    from processor.domain import decide_money  # the money deciders, split out of decide.py

    with mock.patch.object(decide_money, "check_problem", lambda *args: None):
        yield


DECIDE = "tests.unit.test_properties_decide"
REASONS = "tests.unit.test_properties_decline_reasons"
MUTATIONS: tuple[Mutation, ...] = (
    Mutation(
        "debit_skips_balance_check",
        "decide approves every debit (no balance check)",
        _debit_skips_balance_check,
        pure=(
            f"{DECIDE}:test_one_command_obeys_the_rules",
            f"{DECIDE}:test_decided_histories_keep_every_invariant",
        ),
        machine="ledger",
        cheap=True,
    ),
    Mutation(
        "transfer_in_balance_wrong",
        "the receiver's balance_after omits the amount",
        _transfer_in_balance_wrong,
        pure=(f"{DECIDE}:test_evolve_after_decide_equals_the_decided_balance",),
        machine="ledger",
        cheap=True,
    ),
    Mutation(
        "declined_transfer_credits",
        "a declined transfer still credits the receiver",
        _declined_transfer_still_credits,
        pure=(f"{DECIDE}:test_one_command_obeys_the_rules",),
        machine="ledger",
        cheap=True,
    ),
    Mutation(
        "to_minor_rounds",
        "Decimal -> cents rounds sub-cent amounts instead of refusing",
        _to_minor_rounds,
        pure=("tests.unit.test_properties_money:test_to_minor_refuses_sub_cent_amounts",),
        cheap=True,
    ),
    Mutation(
        "codec_drops_declined_key",
        "events lose the sparse txn_declined_reason key",
        _codec_drops_declined_key,
        pure=("tests.unit.test_properties_codec:test_item_keys_and_sparse_index_follow_the_event",),
        cheap=True,
    ),
    Mutation(
        "idempotency_unconditional",
        "EventStore puts the TXN# record unconditionally",
        _idempotency_unconditional,
        machine="ledger",
        dynamodb=True,
        cheap=True,
    ),
    Mutation(
        "duplicate_answers_fresh",
        "a retry gets a new outcome, not the original's fields",
        _duplicate_answers_current_state,
        machine="ledger",
        cheap=True,
    ),
    Mutation(
        "event_put_unconditional",
        "events are put without attribute_not_exists(PK)",
        _event_put_unconditional,
        machine="ledger",
        dynamodb=True,
    ),
    Mutation(
        "open_txn_id_collides",
        "(the found bug) AccountOpened's txn id is 'open-<id>'",
        _open_event_txn_id_collides,
        machine="ledger",
        cheap=True,
    ),
    Mutation(
        "projector_without_guard",
        "the balance update has no applied_seq guard",
        _projector_without_guard,
        machine="projecting",
        dynamodb=True,
        cheap=True,
    ),
    Mutation(
        "projector_ignores_gaps",
        "a gap is not healed from the event table",
        _projector_ignores_gaps,
        machine="projecting",
        cheap=True,
    ),
    Mutation(
        "archive_snapshot_wrong_balance",
        "the archival snapshot carries a balance one cent off",
        _archive_snapshot_wrong_balance,
        pure=(
            "tests.unit.test_archive_plan:"
            "test_given_any_stream_when_cut_in_steps_then_every_state_folds_to_the_same",
        ),
        cheap=True,
    ),
    Mutation(
        "archive_deletes_without_archiving",
        "archival removes live events without writing them to the archive (nor checking)",
        _archive_deletes_without_archiving,
        pure=(
            "tests.unit.test_archive_plan:"
            "test_given_memory_ledger_when_archived_repeatedly_then_history_is_the_original_log",
        ),
        cheap=True,
    ),
    Mutation(
        "projector_drops_declined",
        "declined events never reach the declined index",
        _projector_drops_declined_entries,
        machine="projecting",
        cheap=True,
    ),
    Mutation(
        "blocked_account_debited",
        "a debit from a blocked account is approved (no unauthorized decline)",
        _blocked_account_still_debited,
        pure=(f"{REASONS}:test_no_money_leaves_a_blocked_account",),
        machine="ledger",
        cheap=True,
    ),
    Mutation(
        "illegible_check_credited",
        "a check that does not read is credited instead of declined illegible_check",
        _illegible_check_credited,
        pure=(f"{REASONS}:test_a_check_deposit_is_credited_iff_the_check_reads",),
        machine="ledger",
        cheap=True,
    ),
)
MUTATIONS += (
    Mutation(
        "respond_not_only_from_pending",
        "an offer response does not require PENDING: a second answer overwrites the first",
        offer_mutants.respond_without_pending_guard,
        machine="offers",
        dynamodb=True,
        cheap=True,
    ),
    Mutation(
        "send_resets_response",
        "send_offer puts the relationship unconditionally: a resend resets the answer",
        offer_mutants.send_unconditional,
        machine="offers",
        dynamodb=True,
    ),
)
MUTATIONS += (
    Mutation(
        "indicator_set_no",
        "the last status removed sets special_status_indicator to 'no' instead of REMOVE",
        customer_mutants.indicator_set_no,
        machine="customers",
        dynamodb=True,
        cheap=True,
    ),
    Mutation(
        "phone_claim_unconditional",
        "the phone's uniqueness item is put unconditionally: two customers share a phone",
        customer_mutants.phone_claim_unconditional,
        machine="customers",
        dynamodb=True,
        cheap=True,
    ),
    Mutation(
        "phone_move_keeps_old_claim",
        "a phone change never releases the old phone's uniqueness item",
        customer_mutants.phone_move_keeps_old_claim,
        machine="customers",
        dynamodb=True,
    ),
    Mutation(
        "open_without_customer_check",
        "open_account no longer checks that its customer is registered",
        customer_mutants.open_without_customer_check,
        machine="customers",
        dynamodb=True,
        cheap=True,
    ),
)
RULES = "tests.unit.test_properties_rules"
MUTATIONS += (
    Mutation(
        "upcaster_drops_a_field",
        "the version 1 -> 2 upcaster forgets a check deposit's channel and number",
        rules_mutants.upcaster_drops_a_field,
        pure=(
            "tests.unit.test_properties_upcasting:"
            "test_given_any_event_when_stored_by_any_version_then_it_reads_as_todays_model",
        ),
        cheap=True,
    ),
    Mutation(
        "overdraft_doubles_the_limit",
        "what may be spent counts the credit limit twice",
        rules_mutants.overdraft_doubles_the_limit,
        pure=(
            "tests.unit.test_rules_limits:"
            "test_given_any_overdraft_when_debited_then_never_below_the_floor",
        ),
        machine="ledger",
        cheap=True,
    ),
    Mutation(
        "closed_account_accepts_commands",
        "decide does not refuse a closed account",
        rules_mutants.closed_account_accepts_commands,
        pure=(f"{RULES}:test_a_closed_account_refuses_every_command",),
        machine="ledger",
        cheap=True,
    ),
    Mutation(
        "stamp_forgets_the_trace",
        "events do not carry the command's correlation/causation ids and metadata",
        rules_mutants.stamp_forgets_the_trace,
        pure=(f"{RULES}:test_every_decided_event_carries_the_tracing_fields",),
        machine="ledger",
        cheap=True,
    ),
)
FRAUD = "tests.unit.test_properties_fraud"
MUTATIONS += (
    Mutation(
        "alert_id_ignores_evidence",
        "the alert id is not derived from the evidence: redelivery raises an alert twice",
        fraud_mutants.alert_id_ignores_evidence,
        pure=(f"{FRAUD}:test_given_any_delivery_then_the_alerts_are_those_of_the_log_in_order",),
        cheap=True,
    ),
    Mutation(
        "fraud_gap_not_healed",
        "the fraud consumer evaluates an early-arriving event without the missing ones",
        fraud_mutants.gap_not_healed,
        pure=(f"{FRAUD}:test_given_any_delivery_then_the_alerts_are_those_of_the_log_in_order",),
        cheap=True,
    ),
)
ANALYST = "tests.unit.test_properties_statements"
ASOF = "tests.property.test_asof_rule"
MUTATIONS += (
    Mutation(
        "statement_declines_move_money",
        "a statement counts a declined debit as a debit: it no longer reconciles",
        analyst_mutants.declines_move_money,
        pure=(
            f"{ANALYST}:test_given_any_history_when_stated_in_pieces_then_each_reconciles_and_they_chain",
        ),
        cheap=True,
    ),
    Mutation(
        "as_of_excludes_the_instant",
        "balance --as-of T leaves out an event that occurred exactly at T",
        analyst_mutants.as_of_excludes_the_instant,
        pure=(
            f"{ANALYST}:test_given_any_history_when_asked_as_of_an_instant_then_the_fold_of_the_prefix",
            f"{ASOF}:test_given_backdated_histories_when_asked_as_of_any_time_then_the_sum_effective_by_then",
        ),
        cheap=True,
    ),
    Mutation(
        "as_of_uses_balance_after",
        "balance --as-of T answers the running balance_after (in recorded order)",
        analyst_mutants.as_of_uses_balance_after,
        pure=(
            f"{ASOF}:test_given_backdated_histories_when_asked_as_of_any_time_then_the_sum_effective_by_then",
        ),
        cheap=True,
    ),
    Mutation(
        "as_of_ignores_known_at",
        "balance --as-of T --known-at K counts events recorded after K",
        analyst_mutants.as_of_ignores_known_at,
        pure=(
            f"{ASOF}:test_given_backdated_histories_when_asked_as_of_any_time_then_the_sum_effective_by_then",
        ),
        cheap=True,
    ),
    Mutation(
        "backdated_before_opening",
        "a command effective before its account's opening is accepted",
        analyst_mutants.backdated_before_opening,
        pure=(
            f"{ASOF}:test_given_any_history_then_no_event_takes_effect_before_its_accounts_opening",
        ),
        cheap=True,
    ),
)
API = "tests.unit.test_properties_http_api"
API_ACCESS = "tests.unit.test_properties_http_access"
MUTATIONS += (
    Mutation(
        "api_key_overrides_txn_id",
        "the Idempotency-Key header silently replaces a body's different txn_id",
        api_mutants.key_overrides_txn_id,
        pure=(
            f"{API}:test_given_any_command_and_key_then_the_txn_id_is_the_agreed_one_or_refused",
        ),
        cheap=True,
    ),
    Mutation(
        "api_backend_failure_is_ok",
        "a batch with a backend failure answers 200 instead of 503",
        api_mutants.backend_failure_is_ok,
        pure=(f"{API}:test_given_any_outcomes_then_503_iff_a_backend_failure_and_never_500",),
        cheap=True,
    ),
    Mutation(
        "api_customer_spends_any_account",
        "a customer's token may move money out of any account",
        api_mutants.customer_spends_any_account,
        pure=(
            f"{API_ACCESS}:test_given_any_commands_of_a_customer_then_what_passes_takes_only"
            "_from_its_accounts",
        ),
        cheap=True,
    ),
    Mutation(
        "api_failure_detail_shown",
        "a failed outcome is shown to the caller with the backend's own message",
        api_mutants.failure_detail_shown,
        pure=(
            f"{API_ACCESS}:test_given_any_backend_message_then_a_failed_outcome_shows_none_of_it",
        ),
        cheap=True,
    ),
)
TIME = "tests.unit.test_properties_time"
MUTATIONS += (
    Mutation(
        "pending_expires_at_occurred_at",
        "a pending expires at the caller's occurred_at + timeout_s, not the ledger's clock",
        time_mutants.pending_expires_at_occurred_at,
        pure=(
            "tests.unit.test_pending_rules:"
            "test_given_any_occurred_at_then_a_pending_expires_at_recorded_at_plus_timeout",
        ),
        cheap=True,
    ),
    Mutation(
        "future_occurred_at_accepted",
        "an occurred_at ahead of the ledger's clock is accepted",
        time_mutants.future_occurred_at_accepted,
        pure=(f"{TIME}:test_given_any_occurred_at_then_accepted_iff_within_the_callers_bounds",),
        cheap=True,
    ),
    Mutation(
        "holds_share_one_pool",
        "holds placed by others share the account's own slots",
        time_mutants.holds_share_one_pool,
        pure=(f"{TIME}:test_given_any_incoming_holds_then_the_owners_own_hold_is_still_placed",),
        cheap=True,
    ),
    Mutation(
        "fraud_windows_on_occurred_at",
        "the fraud rules window on the client's occurred_at, not recorded_at",
        time_mutants.fraud_windows_on_occurred_at,
        pure=(
            f"{TIME}:test_given_payments_recorded_in_a_minute_however_dated_then_velocity_fires",
        ),
        cheap=True,
    ),
)
CANON = "tests.unit.test_properties_canonical"
MUTATIONS += (
    Mutation(
        "amount_accepts_unicode_digits",
        "an amount in Arabic-Indic or fullwidth digits is read as ASCII digits",
        input_mutants.amount_accepts_unicode_digits,
        pure=(f"{CANON}:test_given_any_digits_then_an_amount_is_read_iff_they_are_ascii",),
        cheap=True,
    ),
    Mutation(
        "json_last_key_wins",
        "a JSON object naming a key twice is decoded with the last value",
        input_mutants.json_last_key_wins,
        pure=(f"{CANON}:test_given_any_object_with_a_key_repeated_then_refused",),
        cheap=True,
    ),
    Mutation(
        "id_matched_with_dollar",
        "ids are checked with re.match and $: a trailing newline passes",
        input_mutants.id_matched_with_dollar,
        pure=(f"{CANON}:test_given_any_id_with_a_trailing_control_then_refused",),
        cheap=True,
    ),
)
MUTATIONS += (
    Mutation(
        "loyalty_declines_spend_points",
        "the loyalty fold counts a declined REDEEM as spent: the view drifts from the log",
        loyalty_mutants.declines_spend_points,
        machine="loyalty",
        cheap=True,
    ),
    Mutation(
        "loyalty_tier_from_balance",
        "the tier follows the current points, not lifetime earned: a REDEEM demotes",
        loyalty_mutants.tier_from_balance,
        machine="loyalty",
        pure=(
            "tests.unit.test_loyalty_rules:"
            "test_given_any_log_when_folded_in_two_pieces_then_same_as_whole",
        ),
        cheap=True,
    ),
    Mutation(
        "loyalty_repeat_always_duplicate",
        "an EARN under a used transactionId is a duplicate whatever its payload",
        loyalty_mutants.repeat_always_duplicate,
        machine="loyalty",
        cheap=True,
    ),
)
PENDING = "tests.unit.test_pending_rules"
LINKED = "tests.unit.test_linked_rules"
SWEEP_LAW = (
    "tests.integration.test_pending_sweep:"
    "test_given_random_pendings_when_swept_then_exactly_the_expired_open_ones"
)
MUTATIONS += (
    Mutation(
        "pending_posted_twice",
        "a posted pending stays open and can be posted again",
        pending_mutants.pending_posted_twice,
        pure=(
            f"{PENDING}:test_given_any_two_phase_sequence_then_money_is_conserved_and_released_once",
        ),
        cheap=True,
    ),
    Mutation(
        "void_does_not_release",
        "a void leaves the hold in place: the reserved amount is never released",
        pending_mutants.void_does_not_release,
        pure=(
            f"{PENDING}:test_given_any_two_phase_sequence_then_money_is_conserved_and_released_once",
        ),
        cheap=True,
    ),
    Mutation(
        "linked_leg_written_alone",
        "a declined linked batch still writes the legs before the declining one",
        pending_mutants.linked_leg_written_alone,
        pure=(f"{LINKED}:test_given_any_batch_when_decided_then_all_legs_or_only_the_decline",),
        cheap=True,
    ),
    Mutation(
        "resolution_leaves_marker",
        "a post/void/expiry leaves its pending's open marker (the sweeper's index)",
        pending_mutants.resolution_leaves_marker,
        pure=(SWEEP_LAW,),
        cheap=True,
    ),
    Mutation(
        "placement_without_marker",
        "a pending is placed without its open marker: the sweeper never finds it",
        pending_mutants.placement_without_marker,
        pure=(SWEEP_LAW,),
        machine="pending",
        cheap=True,
    ),
)
CLI_LAWS = "tests.unit.test_properties_cli"
MUTATIONS += (
    Mutation(
        "apps_show_cents",
        "the budget answers print the cents the views store, not dollars",
        cli_mutants.apps_show_cents,
        pure=(f"{CLI_LAWS}:test_the_apps_answers_show_dollars_that_read_back_to_the_cents",),
        cheap=True,
    ),
    Mutation(
        "amount_shape_caps_digits",
        "an amount past the limit is told it has the wrong shape, not the real limit",
        cli_mutants.amount_shape_caps_digits,
        pure=(f"{CLI_LAWS}:test_an_amount_past_the_limit_names_the_limit_and_echoes_the_input",),
        cheap=True,
    ),
    Mutation(
        "submit_keeps_line_ends",
        "submit decodes each line with its newline (one byte over the limit, a phantom line 2)",
        cli_mutants.submit_keeps_line_ends,
        pure=(
            "tests.unit.test_one_decoder:"
            "test_given_any_lines_when_read_then_submit_decodes_each_as_the_api_would",
        ),
        cheap=True,
    ),
)
BUDGETS = "tests.unit.test_properties_budgets"
BUDGET_LAW = (
    f"{BUDGETS}:test_given_any_expenses_and_redelivery_then_spend_and_notifications_are_the_folds"
)
MUTATIONS += (
    Mutation(
        "budget_last_expense_wins",
        "the spend projection keeps a month's last expense instead of the sum",
        budget_mutants.last_expense_wins,
        pure=(BUDGET_LAW,),
        cheap=True,
    ),
    Mutation(
        "budget_notify_whenever_over",
        "a notification for every expense over the threshold, not once per crossing",
        budget_mutants.notify_whenever_over,
        pure=(BUDGET_LAW,),
        cheap=True,
    ),
)
MUTATIONS += (
    Mutation(
        "adopt_own_plan",
        "a lost seq race adopts the loser's own planned heads, not the winner's events",
        bench_mutants.adopt_own_plan,
        pure=(
            "tests.unit.test_adopt_heads:"
            "test_given_any_interleaving_of_two_adopting_writers_then_the_log_adds_up",
        ),
        cheap=True,
    ),
)
MUTATIONS += (
    Mutation(
        "daily_totals_ignore_currency",
        "the projector adds every currency's minor units into one (USD) daily total",
        currency_mutants.daily_totals_ignore_currency,
        pure=(
            "tests.unit.test_projection_currency:"
            "test_given_accounts_in_several_currencies_when_projected_then_totals_per_currency",
        ),
        machine="projecting",
        cheap=True,
    ),
)
ARCHIVE_LAW = (
    "tests.unit.test_properties_archive:"
    "test_given_any_history_and_cut_when_archived_then_states_and_later_outcomes_are_unchanged"
)
FIXES = "tests.unit.test_placement_reuse_linked"
MUTATIONS += (
    Mutation(
        "archive_snapshot_forgets_closed",
        "the archival snapshot carries no closed flag: a closed account comes back to life",
        archive_mutants.snapshot_forgets_closed,
        pure=(ARCHIVE_LAW,),
        cheap=True,
    ),
    Mutation(
        "archive_snapshot_refuses_negative",
        "the fold refuses a snapshot below zero: an overdrawn account stops archival",
        archive_mutants.snapshot_refuses_negative_balance,
        pure=(ARCHIVE_LAW,),
        cheap=True,
    ),
    Mutation(
        "pending_ignores_pending_credits",
        "a pending transfer is judged on the receiver's posted balance, not its pending credits",
        archive_mutants.pending_ignores_pending_credits,
        pure=(
            f"{FIXES}:test_given_any_pendings_into_a_capped_account_then_every_placed_one_can_post",
        ),
        cheap=True,
    ),
    Mutation(
        "opening_resend_ignores_limits",
        "an opening resent with other limits is answered duplicate",
        archive_mutants.opening_resend_ignores_limits,
        pure=(
            f"{FIXES}:test_given_any_two_openings_of_one_id_then_duplicate_iff_the_same_payload",
        ),
        cheap=True,
    ),
    Mutation(
        "linked_decline_without_judged_balance",
        "a declined linked leg does not record the balance it was judged on",
        archive_mutants.linked_decline_on_the_batch_start,
        pure=(
            f"{FIXES}:test_given_any_declined_batch_then_its_decline_carries_the_judged_balance",
        ),
        cheap=True,
    ),
)
MUTATIONS += (
    Mutation(
        "idle_on_foreign_lease",
        "until idle counts a shard leased elsewhere (even by a dead holder) as caught up",
        nemesis_mutants.idle_on_foreign_lease,
        machine="nemesis",
        cheap=True,
    ),
    Mutation(
        "idle_after_losing_a_lease",
        "a poller whose lease was taken mid-run reports idle with no shard looked at",
        nemesis_mutants.idle_after_losing_a_lease,
        machine="nemesis",
        cheap=True,
    ),
    Mutation(
        "checkpoint_before_handler",
        "the checkpoint moves before the handler has the records: a crash loses them",
        nemesis_mutants.checkpoint_before_handler,
        machine="nemesis",
        cheap=True,
    ),
)
BATCH_LAW = (
    "tests.unit.test_append_batch:"
    "test_given_any_workload_with_rival_ledgers_when_batching_then_every_command_once"
)
MUTATIONS += (
    Mutation(
        "batch_resent_dropped",
        "a batch retried after a partial cancellation drops the appends it was to send again",
        batch_mutants.resent_dropped,
        pure=(BATCH_LAW,),
        cheap=True,
    ),
    Mutation(
        "batch_survivors_doubled",
        "a cancelled batch still writes its survivors and sends them again: written twice",
        batch_mutants.cancelled_survivors_written,
        pure=(BATCH_LAW,),
        cheap=True,
    ),
)


@contextlib.contextmanager
def _resolution_on_cached_heads() -> Iterator[None]:
    from processor.services import appends

    class NotFresh:  # no job is one: every job is judged on the cached heads
        pass

    with mock.patch.object(appends, "FreshHeads", NotFresh):
        yield


MUTATIONS += (
    Mutation(
        "resolution_on_cached_heads",
        "a post, void or expiry is judged on a stale head cache: a pending placed through "
        "another ledger is refused as not open",
        _resolution_on_cached_heads,
        pure=(
            "tests.app.test_resolution_heads:"
            "test_given_any_ledgers_then_an_open_pending_resolves_and_a_settled_one_is_refused",
        ),
        machine="pending",  # resolve_on_another_process, and resolve's open-pending check
        cheap=True,
    ),
)
BY_NAME = {m.name: m for m in MUTATIONS}
