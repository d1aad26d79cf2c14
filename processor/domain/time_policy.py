"""Time the ledger controls (pure): which ``occurred_at`` a caller may give.

``recorded_at`` is always the ledger's own clock (the injected ``Ledger.clock``); a command's
``occurred_at`` is the caller's claim of when the business event happened. The claim is
bounded, because rules read it (statements, daily totals, as-of reads):

- **never in the future**: later than now plus ``max_skew_s`` (the callers' clocks are not
  the ledger's; 5 minutes by default) is ``rejected``;
- **backdating is bounded**: earlier than now minus ``max_backdate_s`` (7 days by default: a
  card settlement or a batch file arriving late) is only for the *operator* (the CLI, an
  operator's HTTP token with the ``ledger/operate`` scope). Anyone else is ``rejected``.

What expires, what fraud rules window on and what archiving counts from is ``recorded_at``,
never the claim (``processor.domain.pending``, ``projections.fraud.rules``,
``processor.domain.archive``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from acme_base.errors import InvalidInput
from processor.domain.attrs import optional_attr

DEFAULT_MAX_SKEW_S = 300
DEFAULT_MAX_BACKDATE_S = 7 * 86_400


class FutureDated(InvalidInput):
    """``occurred_at`` is ahead of the ledger's clock by more than the allowed skew."""


class BackdatedTooFar(InvalidInput):
    """``occurred_at`` is further back than a caller who is not the operator may date."""


def occurred_times(command: Any) -> Iterator[datetime]:
    """The ``occurred_at`` a command gives: its own, and each leg's of a linked batch."""
    own = optional_attr(command, "occurred_at")
    if isinstance(own, datetime):
        yield own
    for leg in optional_attr(command, "legs") or ():
        yield from occurred_times(leg)


@dataclass(frozen=True)
class TimePolicy:
    """The bounds on a caller's ``occurred_at`` (see the module docstring)."""

    max_skew_s: int = DEFAULT_MAX_SKEW_S
    max_backdate_s: int = DEFAULT_MAX_BACKDATE_S

    def __post_init__(self) -> None:
        if self.max_skew_s < 0 or self.max_backdate_s < 0:
            raise InvalidInput("the ledger's time bounds (skew, backdate) must be >= 0 seconds")

    def check(self, command: Any, now: datetime, *, operator: bool) -> None:
        """``InvalidInput`` (rejected, nothing written) if ``command`` dates itself outside
        what this caller may; the operator may backdate without bound, never post-date."""
        times = occurred_times(command)
        first = next(times, None)
        if first is None:  # the command gives no time of its own: the ledger's clock dates it
            return
        latest = now + timedelta(seconds=self.max_skew_s)
        earliest = now - timedelta(seconds=self.max_backdate_s)
        for when in (first, *times):
            if when > latest:
                raise FutureDated(
                    f"occurred_at {when.isoformat()} is ahead of the ledger's clock "
                    f"({now.isoformat()}) by more than {self.max_skew_s} s"
                )
            if when < earliest and not operator:
                raise BackdatedTooFar(
                    f"occurred_at {when.isoformat()} is more than {self.max_backdate_s} s "
                    "before the ledger's clock: backdating that far is for an operator"
                )
