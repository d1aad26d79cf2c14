"""Ledger events for the fraud rules' tests: one account's history, built step by step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from processor.domain.events import (
    AccountOpened,
    DebitDeclined,
    DeclineReason,
    FundsCredited,
    FundsDebited,
    LedgerEvent,
    TransferSent,
)

T0 = datetime(2030, 1, 1, tzinfo=UTC)


class Story:
    """Events of one account in seq order, at times measured in minutes from ``T0``."""

    def __init__(self, account: str = "A1") -> None:
        self.account = account
        self.events: list[LedgerEvent] = [
            AccountOpened(
                account_id=account,
                seq=0,
                txn_id=f"{account}-open",
                currency="USD",
                amount=0,
                balance_after=0,
                occurred_at=T0,
                customer_id="C1",
            )
        ]

    def _common(self, minutes: float, amount: int) -> dict[str, object]:
        seq = len(self.events)
        return {
            "account_id": self.account,
            "seq": seq,
            "txn_id": f"{self.account}-T{seq}",
            "currency": "USD",
            "amount": amount,
            "balance_after": 0,
            "occurred_at": T0 + timedelta(minutes=minutes),
        }

    def debit(self, minutes: float, amount: int) -> Story:
        self.events.append(FundsDebited(**self._common(minutes, amount)))
        return self

    def credit(self, minutes: float, amount: int) -> Story:
        self.events.append(FundsCredited(**self._common(minutes, amount)))
        return self

    def declined(self, minutes: float, amount: int) -> Story:
        fields = {**self._common(minutes, amount), "reason": DeclineReason.LOW_BALANCE}
        self.events.append(DebitDeclined(**fields))
        return self

    def transfer(self, minutes: float, amount: int, to: str) -> Story:
        fields = {**self._common(minutes, amount), "counterparty": to}
        self.events.append(TransferSent(**fields))
        return self
