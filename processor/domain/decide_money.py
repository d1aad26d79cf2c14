"""``decide`` for money commands: credit, debit (``decide_single``) and transfer
(``decide_transfer``), each approved or declined with a reason; pending ones are placed by
``processor.domain.pending``. ``processor.domain.decide`` dispatches here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from acme_base.errors import InvalidInput, UnknownAccount
from processor.domain.account_state import AccountState
from processor.domain.checks import check_problem
from processor.domain.commands import Credit, Debit, MoneyCommand, Transfer
from processor.domain.events import (
    DebitDeclined,
    DeclineReason,
    DepositDeclined,
    FundsCredited,
    FundsDebited,
    LedgerEvent,
    TransferDeclined,
    TransferReceived,
    TransferSent,
)
from processor.domain.lifecycle import limit_detail
from processor.domain.limits import decline_for_credit, decline_for_debit
from processor.domain.money import to_minor
from processor.domain.pending import announced, place_single, place_transfer, spendable


def account_of(
    states: Mapping[str, AccountState], account_id: str, cmd: MoneyCommand
) -> AccountState:
    state = states.get(account_id)
    if state is None:
        raise UnknownAccount(account_id)
    if cmd.currency is not None and cmd.currency != state.currency:
        raise InvalidInput(
            f"currency {cmd.currency} does not match account {account_id} ({state.currency})"
        )
    return state


def common_fields(state: AccountState, cmd: MoneyCommand, now: datetime) -> dict[str, Any]:
    return {
        "account_id": state.account_id,
        "seq": state.seq + 1,
        "txn_id": cmd.txn_id,
        "currency": state.currency,
        "amount": to_minor(cmd.amount, state.currency),
        "occurred_at": cmd.occurred_at or now,
        "blocked": state.blocked,
    }


def decide_single(
    states: Mapping[str, AccountState], cmd: Credit | Debit, now: datetime
) -> LedgerEvent:
    state = account_of(states, cmd.account_id, cmd)
    fields = common_fields(state, cmd, now)
    amount: int = fields["amount"]  # to_minor(cmd.amount, state.currency)
    if cmd.is_pending:
        return place_single(state, cmd, fields, now)
    if isinstance(cmd, Credit):
        return decide_credit(state, cmd, fields)
    if state.blocked:
        return DebitDeclined(
            **fields, balance_after=state.balance, reason=DeclineReason.UNAUTHORIZED
        )
    reason = decline_for_debit(spendable(state, now), amount)
    if reason is None:
        return FundsDebited(**fields, balance_after=state.balance - amount)
    return DebitDeclined(**fields, balance_after=state.balance, reason=reason)


def decide_credit(state: AccountState, cmd: Credit, fields: dict[str, Any]) -> LedgerEvent:
    """Credits are accepted even into a blocked account; a check that does not read is a
    recorded decline (``illegible_check``), not a rejection."""
    amount: int = fields["amount"]  # to_minor(cmd.amount, state.currency)
    number = cmd.check.number if cmd.check is not None else None
    if cmd.check is not None:
        check = cmd.check
        problem = check_problem(check.number, check.routing, check.amount_in_words, amount)
        if problem is not None:
            return DepositDeclined(
                **fields,
                balance_after=state.balance,
                reason=DeclineReason.ILLEGIBLE_CHECK,
                channel="check",
                check_number=number,
                detail=problem,
            )
    reason = decline_for_credit(state, amount)
    if reason is not None:
        return DepositDeclined(
            **fields,
            balance_after=state.balance,
            reason=reason,
            channel=cmd.channel,
            check_number=number,
            detail=limit_detail(reason),
        )
    return FundsCredited(
        **fields, balance_after=state.balance + amount, channel=cmd.channel, check_number=number
    )


def decide_transfer(
    states: Mapping[str, AccountState], cmd: Transfer, now: datetime
) -> list[LedgerEvent]:
    sender = account_of(states, cmd.from_account, cmd)
    receiver = account_of(states, cmd.to_account, cmd)
    if sender.currency != receiver.currency:
        raise InvalidInput(
            f"cannot transfer {sender.currency} from {sender.account_id} "
            f"to {receiver.account_id} in {receiver.currency}"
        )
    amount = to_minor(cmd.amount, sender.currency)
    out = common_fields(sender, cmd, now)
    # authorization first: a blocked sender is unauthorized whatever its balance;
    # a blocked receiver still receives (unless the credit breaks the receiver's limits);
    # a pending one is judged beside the receiver's other pending credits
    into = announced(receiver, now) if cmd.is_pending else receiver
    reason = (
        DeclineReason.UNAUTHORIZED
        if sender.blocked
        else decline_for_debit(spendable(sender, now), amount) or decline_for_credit(into, amount)
    )
    if reason is not None:
        return [
            TransferDeclined(
                **out,
                balance_after=sender.balance,
                reason=reason,
                counterparty=receiver.account_id,
            )
        ]
    if cmd.is_pending:
        return place_transfer(sender, receiver, cmd, (out, common_fields(receiver, cmd, now)), now)
    return [
        TransferSent(
            **out, balance_after=sender.balance - amount, counterparty=receiver.account_id
        ),
        TransferReceived(
            **common_fields(receiver, cmd, now),
            balance_after=receiver.balance + amount,
            counterparty=sender.account_id,
        ),
    ]
