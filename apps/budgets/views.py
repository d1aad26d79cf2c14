"""``DynamoBudgetStore``: the budget views in one partition per user on the views table (see
``apps.budgets.ports``): budgets ``BUDGET#cat#month``, spend ``SPEND#cat#month`` with the
``CURSOR``, expenses ``EXP#date#id``, notifications ``NOTE#at#id`` with their once-only
markers ``NOTEID#id``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from acme_base.aws import call, deserialize, paginate_items, serialize, transact_write
from acme_base.errors import TransactionCancelled
from acme_base.keys import (
    BUDGET_SK,
    EXPENSE_SK,
    NOTE_ID_SK,
    NOTE_SK,
    SPEND_CURSOR_SK,
    SPEND_SK,
    budget_key,
    budgets_pk,
)
from apps.budgets.model import Budget, Expense, Notification, SpendFold


@dataclass
class DynamoBudgetStore:
    client: Any
    table: str

    def put_budget(self, budget: Budget) -> None:
        item = {**budget_key(budget.user_id, BUDGET_SK, budget.category, budget.month)}
        item.update(vars(budget))
        call("write budget", self.client.put_item, TableName=self.table, Item=serialize(item))

    def budget(self, user_id: str, category: str, month: str) -> Budget | None:
        item = self._get(budget_key(user_id, BUDGET_SK, category, month))
        return None if item is None else _budget(item)

    def budgets(self, user_id: str, category: str | None = None) -> list[Budget]:
        prefix = BUDGET_SK + (f"{category}#" if category else "")
        return [_budget(i) for i in self._query(user_id, prefix)]

    def cursor(self, user_id: str) -> int:
        item = self._get(budget_key(user_id, SPEND_CURSOR_SK))
        return -1 if item is None else int(item["seq"])

    def apply(self, user_id: str, expected_seq: int, fold: SpendFold) -> bool:
        if expected_seq < 0:
            condition, values = "attribute_not_exists(seq)", {":new": fold.seq}
        else:
            condition, values = "seq = :old", {":new": fold.seq, ":old": expected_seq}
        cursor: dict[str, Any] = {
            "Update": {
                "TableName": self.table,
                "Key": serialize(budget_key(user_id, SPEND_CURSOR_SK)),
                "UpdateExpression": "SET seq = :new",
                "ConditionExpression": condition,
                "ExpressionAttributeValues": serialize(values),
            }
        }
        actions = [cursor]
        for (category, month), amount in fold.added.items():
            actions.append({"Update": {
                "TableName": self.table,
                "Key": serialize(budget_key(user_id, SPEND_SK, category, month)),
                "UpdateExpression": "ADD spent :a SET category = :c, #m = :m",
                "ExpressionAttributeNames": {"#m": "month"},
                "ExpressionAttributeValues": serialize({":a": amount, ":c": category, ":m": month}),
            }})  # fmt: skip
        for e in fold.expenses:
            item = {**budget_key(user_id, EXPENSE_SK, e.date, e.expense_id), **_drop_none(vars(e))}
            actions.append({"Put": {"TableName": self.table, "Item": serialize(item)}})
        try:
            transact_write(self.client, actions, f"apply spend of {user_id}")
        except TransactionCancelled:
            return False
        return True

    def spend(self, user_id: str, category: str, month: str) -> int:
        item = self._get(budget_key(user_id, SPEND_SK, category, month))
        return 0 if item is None else int(item["spent"])

    def notify(self, note: Notification) -> bool:
        item = {**budget_key(note.user_id, NOTE_SK, note.at, note.notification_id), **vars(note)}
        marker = budget_key(note.user_id, NOTE_ID_SK, note.notification_id)
        actions = [
            {"Put": {"TableName": self.table, "Item": serialize(marker),
                     "ConditionExpression": "attribute_not_exists(PK)"}},
            {"Put": {"TableName": self.table, "Item": serialize(item)}},
        ]  # fmt: skip
        try:
            transact_write(self.client, actions, f"notify {note.user_id}")
        except TransactionCancelled:
            return False
        return True

    def notifications(self, user_id: str, limit: int = 100) -> list[Notification]:
        items = self._query(user_id, NOTE_SK, newest_first=True)[:limit]
        return [
            Notification(i["user_id"], i["category"], i["month"], i["level"], int(i["spent"]),
                         int(i["budget"]), i["at"])
            for i in items
        ]  # fmt: skip

    def expenses(
        self, user_id: str, date_from: str, date_to: str, category: str | None = None
    ) -> list[Expense]:
        raw = paginate_items(
            self.client,
            "query",
            f"read expenses of {user_id}",
            TableName=self.table,
            KeyConditionExpression="PK = :pk AND SK BETWEEN :lo AND :hi",
            ExpressionAttributeValues=serialize(
                {
                    ":pk": budgets_pk(user_id),
                    ":lo": f"{EXPENSE_SK}{date_from}",
                    ":hi": f"{EXPENSE_SK}{date_to}#\uffff",
                }
            ),
            ScanIndexForward=False,
            ConsistentRead=True,
        )
        rows = [_expense(deserialize(i)) for i in raw]
        return [e for e in rows if category in (None, e.category)]

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        got = call(
            f"read {key['SK']}",
            self.client.get_item,
            TableName=self.table,
            Key=serialize(key),
            ConsistentRead=True,
        )
        return deserialize(got["Item"]) if "Item" in got else None

    def _query(self, user_id: str, prefix: str, newest_first: bool = False) -> list[dict[str, Any]]:
        raw = paginate_items(
            self.client,
            "query",
            f"read {prefix} of {user_id}",
            TableName=self.table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
            ExpressionAttributeValues=serialize({":pk": budgets_pk(user_id), ":p": prefix}),
            ScanIndexForward=not newest_first,
            ConsistentRead=True,
        )
        return [deserialize(i) for i in raw]


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _budget(i: dict[str, Any]) -> Budget:
    return Budget(
        i["user_id"], i["category"], i["month"], int(i["amount"]), int(i["threshold_pct"])
    )


def _expense(i: dict[str, Any]) -> Expense:
    return Expense(
        i["user_id"], i["expense_id"], int(i["amount"]), i["category"], i["date"],
        i["description"], i.get("receipt_url"),
    )  # fmt: skip
