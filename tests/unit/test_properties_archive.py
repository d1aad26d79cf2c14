"""The archival law, on the in-memory twins: for a random history (the ledger machine's
commands and the rules around them) and a random cut, archive-then-fold equals
fold-without-archive for every field of every account's state, the live head gives the
same state, and every later command gets the same outcome as without the archive."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from hypothesis import event as note_event
from hypothesis import given
from hypothesis import strategies as st

from processor.domain.decide import fold
from processor.domain.events import HistoryArchived
from processor.storage.ports import state_of_head
from tests.property.archive_histories import START, open_twins, play
from tests.property.strategies import ACCOUNT_POOL


def heads(app: object) -> dict[str, object]:
    """Each account's state from its live head (the customer only some heads know)."""
    store = app.event_store  # type: ignore[attr-defined]
    found = {}
    for account in ACCOUNT_POOL:
        state = state_of_head(account, store.head(account))
        found[account] = state and dataclasses.replace(state, customer_id="")
    return found


def snapshots(app: object) -> list[HistoryArchived]:
    store = app.event_store  # type: ignore[attr-defined]
    firsts = (next(iter(store.events(a)), None) for a in ACCOUNT_POOL)
    return [e for e in firsts if isinstance(e, HistoryArchived)]


@given(data=st.data())
def test_given_any_history_and_cut_when_archived_then_states_and_later_outcomes_are_unchanged(
    data: st.DataObject,
) -> None:
    # GIVEN a random history on two twin ledgers
    twins = open_twins(data.draw)
    play(data.draw, twins, max_steps=25)
    plain, archived = twins.apps
    # WHEN one twin is archived at a random cut (anywhere in the history)
    days = (twins.clock.now - START).days + 2
    cut = (START + timedelta(days=data.draw(st.integers(0, days), label="cut day"))).date()
    report = archived.archiver.run(cut)
    # THEN the run succeeds for every account, and for each the whole state is unchanged:
    # the live fold (from the snapshot), archive + live, and the head read
    assert report.ok, report.failed
    for snapshot in snapshots(archived):
        note_event(
            f"archived: closed={getattr(snapshot, 'closed', None)} blocked={snapshot.blocked}"
        )
        note_event(
            f"archived: negative={snapshot.balance_after < 0} holds={bool(snapshot.pendings)}"
        )
    for account in ACCOUNT_POOL:
        expected = fold(plain.event_store.events(account))
        assert fold(archived.event_store.events(account)) == expected, account
        assert archived.history.replay(account) == expected, account
        assert list(archived.history.events(account)) == list(plain.event_store.events(account))
    assert heads(archived) == heads(plain)
    assert len(snapshots(archived)) == len(report.accounts)
    # AND every later command gets the same outcome on both (ledgers reading afresh)
    twins.fresh_ledgers()
    play(data.draw, twins, max_steps=12)
    for account in ACCOUNT_POOL:
        assert fold(archived.event_store.events(account)) == fold(plain.event_store.events(account))
