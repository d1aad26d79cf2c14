"""A small bank for the query tests: customers across states and statuses, accounts,
transactions over several dates, declines of several reasons.

Customers are registered with ``register_customer`` when the ledger knows it; until then
their items are written in the customers' layout (``put_customer``). Declines of reasons no
command produces yet are written as raw event items on their own account (``put_declined``):
the queries read items, not event models, and the account is never folded here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from acme_base.aws import serialize
from acme_base.keys import account_pk, customer_pk, day_key, day_shard, padded_seq, seq_sk
from acme_txn.bootstrap import App

#: (id, name, phone, state, statuses)
CUSTOMERS = [
    ("C1", "Ada Li", "+12125550101", "NY", ["veteran"]),
    ("C2", "Bob Ng", "+12125550102", "NY", []),
    ("C3", "Cy Oz", "+14155550103", "CA", ["student", "veteran"]),
    ("C4", "Di Po", "+15125550104", "TX", ["handicap"]),
    ("C5", "Ed Qu", "+12125550105", "NY", []),
    ("C6", "Flo Re", "+12125550106", "NY", []),
    ("C7", "Gus Sa", "+12125550107", "NY", []),
    ("C8", "Hal Tu", "+14155550108", "CA", []),
]
ACCOUNTS = [("A1", "C1"), ("A2", "C1"), ("A3", "C3"), ("A4", "C4"), ("A5", "C2")]
DAYS = ("2022-06-18", "2022-06-19", "2022-06-20")
EXTRA_REASONS = ("unauthorized", "illegible_check")


def _at(day: str, hour: int) -> str:
    return f"{day}T{hour:02d}:00:00Z"


def commands() -> list[dict[str, Any]]:
    """Money commands over three days (txn ids T<n>), one transfer, two low_balance declines."""
    d18, d19, d20 = DAYS
    cmds: list[dict[str, Any]] = []
    for n, (account, amount, day, hour) in enumerate(
        [
            ("A1", "500.00", d18, 9),
            ("A2", "50.00", d18, 10),
            ("A3", "20.00", d18, 11),
            ("A5", "10.00", d18, 12),
            ("A1", "25.00", d19, 9),
            ("A3", "5.00", d19, 10),
            ("A1", "7.00", d20, 9),
        ],
        start=1,
    ):
        cmds.append(
            {"type": "credit", "txn_id": f"T{n}", "account_id": account, "amount": amount,
             "occurred_at": _at(day, hour)}
        )  # fmt: skip
    cmds += [
        {"type": "debit", "txn_id": "T8", "account_id": "A1", "amount": "30.50",
         "occurred_at": _at(d19, 12)},
        {"type": "transfer", "txn_id": "T9", "from_account": "A1", "to_account": "A3",
         "amount": "100.00", "occurred_at": _at(d19, 13)},
        {"type": "debit", "txn_id": "T10", "account_id": "A4", "amount": "99.00",
         "occurred_at": _at(d19, 14)},
        {"type": "debit", "txn_id": "T11", "account_id": "A5", "amount": "999.00",
         "occurred_at": _at(d20, 10)},
        {"type": "transfer", "txn_id": "T12", "from_account": "A2", "to_account": "A1",
         "amount": "5000.00", "occurred_at": _at(d20, 11)},
    ]  # fmt: skip
    return cmds


def put_customer(
    app: App, cid: str, name: str, phone: str, *, state: str, statuses: list[str]
) -> None:
    """A customer item exactly in the customers' layout (until ``register_customer`` lands)."""
    item: dict[str, Any] = {
        "PK": customer_pk(cid),
        "SK": customer_pk(cid),
        "entity": "customer",
        "customer_id": cid,
        "name": name,
        "phone": phone,
        "state": state,
        "GSI1PK": f"PHONE#{phone}",
        "GSI1SK": customer_pk(cid),
        "GSI2PK": f"STATE#{state}",
        "GSI2SK": customer_pk(cid),
        "created_at": "2022-06-01T00:00:00Z",
        "updated_at": "2022-06-01T00:00:00Z",
        "version": 1,
    }
    if statuses:
        item |= {"special_status": set(statuses), "special_status_indicator": "yes"}
    app.dynamodb.put_item(TableName=app.settings.ledger_table, Item=serialize(item))


def put_declined(app: App, account: str, seq: int, *, reason: str, day: str, amount: int) -> None:
    """A declined debit event item with a reason no command produces yet."""
    txn_id = f"X{account}{seq}"
    item = {
        "PK": account_pk(account),
        "SK": seq_sk(seq),
        "entity": "txn",
        "event_type": "DebitDeclined",
        "account_id": account,
        "seq": seq,
        "txn_id": txn_id,
        "kind": "debit",
        "status": "declined",
        "reason": reason,
        "currency": "USD",
        "amount": amount,
        "balance_after": 0,
        "occurred_at": _at(day, 15),
        "txn_date": day,
        "txn_declined_reason": reason,
        "GSI1PK": account_pk(account),
        "GSI1SK": f"{day}#{padded_seq(seq)}",
        "GSI2PK": day_key(day, day_shard(account)),
        "GSI2SK": f"{account_pk(account)}#{padded_seq(seq)}",
    }
    app.dynamodb.put_item(TableName=app.settings.ledger_table, Item=serialize(item))


@dataclass
class Bank:
    app: App
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)
    raw_declines: list[tuple[str, int, str, str]] = field(default_factory=list)


def seed(app: App) -> Bank:
    bank = Bank(app)
    registered = _has_register_customer(app)
    for cid, name, phone, state, statuses in CUSTOMERS:
        if registered:
            outcome = app.ledger.submit_raw(
                {"type": "register_customer", "customer_id": cid, "name": name,
                 "phone": phone, "state": state, "special_status": statuses}
            )  # fmt: skip
            assert outcome.status == "registered", outcome
        else:
            put_customer(app, cid, name, phone, state=state, statuses=statuses)
    for account, cid in ACCOUNTS:
        opened = app.ledger.submit_raw(
            {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
             "account_id": account, "customer_id": cid,
             "currency": "USD"}
        )  # fmt: skip
        assert opened.status == "opened", opened
    for cmd in commands():
        bank.outcomes[cmd["txn_id"]] = app.ledger.submit_raw(cmd).to_json_dict()
    for seq, (reason, day) in enumerate(
        [(EXTRA_REASONS[0], DAYS[0]), (EXTRA_REASONS[1], DAYS[1]), (EXTRA_REASONS[0], DAYS[2])],
        start=1,
    ):
        put_declined(app, "A9", seq, reason=reason, day=day, amount=100 * seq)
        bank.raw_declines.append(("A9", seq, reason, day))
    return bank


def _has_register_customer(app: App) -> bool:
    try:
        from processor.customers import commands as cmds
    except ImportError:  # pragma: no cover
        return False
    return hasattr(cmds, "RegisterCustomer")
