"""The projector's options, declared once (flags and Lambda variables are generated from them:
``--projector-workers``, ``ACME_PROJECTOR_WORKERS``, ...; see ``acme_txn.options``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from acme_base.errors import InvalidInput
from projections.plan import MAX_TRANSACTION_ITEMS


@dataclass(frozen=True)
class ProjectorConfig:
    """How the projector writes a delivered batch."""

    workers: int = field(
        default=1,
        metadata={"help": "accounts of one batch projected in parallel (each its own items)"},
    )
    coalesce: bool = field(
        default=True,
        metadata={"help": "one transaction per account run, daily totals added up per day"},
    )
    max_items: int = field(
        default=MAX_TRANSACTION_ITEMS,
        metadata={"help": f"items per transaction, 1..{MAX_TRANSACTION_ITEMS}"},
    )
    max_attempts: int = field(
        default=12,
        metadata={"help": "guarded write attempts per account before giving its events back"},
    )

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise InvalidInput(f"projector workers must be at least 1, not {self.workers}")
        if not 1 <= self.max_items <= MAX_TRANSACTION_ITEMS:
            raise InvalidInput(
                f"projector max items must be 1..{MAX_TRANSACTION_ITEMS} (one "
                f"TransactWriteItems), not {self.max_items}"
            )
        if self.max_attempts < 1:
            raise InvalidInput(
                f"projector max attempts must be at least 1, not {self.max_attempts}"
            )
