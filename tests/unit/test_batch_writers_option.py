"""The write path's batch writers (transactions shared by many accounts' appends) are an
option a user sets: ``ACME_LEDGER_BATCH_WRITERS`` or ``acme-txn submit --batch-writers N``,
and it reaches the ledger the composition root builds."""

from __future__ import annotations

import pytest

from acme_base.errors import InvalidInput
from acme_base.settings import Settings
from acme_txn.bootstrap import Options, bootstrap
from acme_txn.cli.context import Context
from acme_txn.cli.main import build_parser
from processor.services.ledger import Ledger
from processor.storage.append_batch import AppendBatcher


def _writer(ledger: Ledger) -> object:
    return ledger._appender.store


@pytest.mark.parametrize("writers", [0, 1, 5])
def test_the_environment_sets_the_ledgers_batch_writers(writers: int) -> None:
    """GIVEN ACME_LEDGER_BATCH_WRITERS WHEN the app is built THEN its ledger has that many
    batch writers (0: every append is its own transaction, no batcher)."""
    options = Options.from_env({"ACME_LEDGER_BATCH_WRITERS": str(writers)})
    ledger = bootstrap(Settings(), options, memory=True).ledger
    assert ledger.batch_writers == writers
    writer = _writer(ledger)
    if writers == 0:
        assert writer is ledger.store
    else:
        assert isinstance(writer, AppendBatcher) and writer.writers == writers


def test_the_default_is_unchanged() -> None:
    ledger = bootstrap(Settings(), memory=True).ledger
    assert ledger.batch_writers == Ledger.batch_writers == Options().ledger.batch_writers


def test_submit_takes_a_batch_writers_flag() -> None:
    """GIVEN `acme-txn submit --batch-writers 0` WHEN its context builds the app THEN the
    ledger writes one append per transaction."""
    args = build_parser("submit").parse_args(["submit", "commands.jsonl", "--batch-writers", "0"])
    ctx = Context(args, Settings())
    assert ctx.options.ledger.batch_writers == 0
    ledger = bootstrap(Settings(), ctx.options, memory=True).ledger
    assert ledger.batch_writers == 0 and _writer(ledger) is ledger.store


def test_a_negative_count_is_refused_clearly() -> None:
    with pytest.raises(InvalidInput, match="batch writers"):
        Options.from_env({"ACME_LEDGER_BATCH_WRITERS": "-1"})
