"""The on-failure destination: dead letters in the ``<prefix>-streams`` table.

One item per discarded record (``PK=DLQ#<consumer>``, ``SK=<seq>#<shard>``) holding the whole
Lambda-shaped record, the error, the condition (``RetryAttemptsExhausted`` or
``RecordAgeExceeded``, Lambda's names) and the discarded batch's range. Writes are
conditional on the key being new, so a retried write after a crash never duplicates.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from acme_base.aws import call, deserialize, paginate_items
from acme_base.errors import ConditionFailed
from streams.batches import interpret
from streams.keys import seq_of

RETRIES_EXHAUSTED = "RetryAttemptsExhausted"
RECORD_AGE_EXCEEDED = "RecordAgeExceeded"
SEQ_WIDTH = 40  # DynamoDB Streams sequence numbers have 21..40 digits

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class DeadLetter:
    key: str
    shard_id: str
    seq: str
    stream_arn: str
    condition: str
    error: str
    attempts: int
    dead_at: str
    record: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "shard_id": self.shard_id,
            "seq": self.seq,
            "stream_arn": self.stream_arn,
            "condition": self.condition,
            "error": self.error,
            "attempts": self.attempts,
            "dead_at": self.dead_at,
            "event_name": self.record.get("eventName"),
            "keys": self.record.get("dynamodb", {}).get("Keys"),
            "record": self.record,
        }


@dataclass(frozen=True)
class RedriveResult:
    redriven: int
    still_failing: int
    errors: list[str] = field(default_factory=list)


@dataclass
class DeadLetters:
    client: Any
    table: str
    consumer: str

    @property
    def pk(self) -> str:
        return f"DLQ#{self.consumer}"

    def put(
        self,
        records: Sequence[dict[str, Any]],
        *,
        shard_id: str,
        stream_arn: str,
        condition: str,
        error: str,
        attempts: int,
    ) -> int:
        """Store records as dead letters; returns how many were new."""
        now = datetime.now(UTC).isoformat()
        new = 0
        for record in records:
            seq = seq_of(record)
            item = {
                "PK": {"S": self.pk},
                "SK": {"S": f"{seq.zfill(SEQ_WIDTH)}#{shard_id}"},
                "shard_id": {"S": shard_id},
                "seq": {"S": seq},
                "stream_arn": {"S": stream_arn},
                "condition": {"S": condition},
                "error": {"S": error[:4000] or "unknown"},
                "attempts": {"N": str(attempts)},
                "dead_at": {"S": now},
                "record": {"S": json.dumps(record, default=str)},
            }
            try:
                call(
                    "write dead letter",
                    self.client.put_item,
                    TableName=self.table,
                    Item=item,
                    ConditionExpression="attribute_not_exists(PK)",
                )
            except ConditionFailed:  # written before a crash: never a duplicate
                continue
            new += 1
        return new

    def list(self) -> list[DeadLetter]:
        """Every dead letter of this consumer, in stream order."""
        items = [
            deserialize(i)
            for i in paginate_items(
                self.client,
                "query",
                "list dead letters",
                TableName=self.table,
                ConsistentRead=True,
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues={":pk": {"S": self.pk}},
            )
        ]
        return [
            DeadLetter(
                key=str(i["SK"]),
                shard_id=str(i["shard_id"]),
                seq=str(i["seq"]),
                stream_arn=str(i["stream_arn"]),
                condition=str(i["condition"]),
                error=str(i["error"]),
                attempts=int(i["attempts"]),
                dead_at=str(i["dead_at"]),
                record=json.loads(str(i["record"])),
            )
            for i in items
        ]

    def _delete(self, letter: DeadLetter) -> None:
        call(
            "delete dead letter",
            self.client.delete_item,
            TableName=self.table,
            Key={"PK": {"S": self.pk}, "SK": {"S": letter.key}},
        )

    def _note_failure(self, letter: DeadLetter, error: str) -> None:
        with contextlib.suppress(ConditionFailed):  # deleted meanwhile: nothing to note
            call(
                "update dead letter",
                self.client.update_item,
                TableName=self.table,
                Key={"PK": {"S": self.pk}, "SK": {"S": letter.key}},
                UpdateExpression="SET #e = :e, attempts = attempts + :one, redriven_at = :now",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames={"#e": "error"},
                ExpressionAttributeValues={
                    ":e": {"S": error[:4000] or "unknown"},
                    ":one": {"N": "1"},
                    ":now": {"S": datetime.now(UTC).isoformat()},
                },
            )

    def redrive(
        self, handler: Handler, batch_size: int = 10, keys: Sequence[str] = ()
    ) -> RedriveResult:
        """Hand dead letters (all, or those of ``keys``) to the handler again, in stream order.

        Records the handler accepts are deleted; the others stay with the new error.
        """
        letters = [d for d in self.list() if not keys or d.key in keys]
        redriven, failing, errors = 0, 0, []
        for start in range(0, len(letters), batch_size):
            chunk = letters[start : start + batch_size]
            batch = [d.record for d in chunk]
            try:
                verdict = interpret(handler({"Records": batch}, None), batch)
            except Exception as exc:  # the handler's failure is data here
                failed_seqs = {d.seq for d in chunk}
                error = f"{type(exc).__name__}: {exc}"
            else:
                failed_seqs = (
                    set(verdict.failed) if verdict.error is None else {d.seq for d in chunk}
                )
                error = verdict.error or "record failed again on redrive"
            for letter in chunk:
                if letter.seq in failed_seqs:
                    self._note_failure(letter, error)
                    failing += 1
                    errors.append(f"{letter.key}: {error}")
                else:
                    self._delete(letter)
                    redriven += 1
        return RedriveResult(redriven, failing, errors)
