"""`acme-txn project --rebuild NAME`: rebuild a read model from the event log, with a progress
bar on stderr, and print how it compares with the live model and with a fresh fold."""

from __future__ import annotations

import sys
from typing import TextIO

from acme_txn.cli.context import Context
from projections.rebuild import rebuild_projection


class Progress:
    """A plain text progress bar on stderr (``\\r``-redrawn on a terminal, lines otherwise)."""

    def __init__(self, label: str, total: int | None, stream: TextIO | None = None) -> None:
        self.label, self.total, self.done = label, total, 0
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = -1

    def advance(self, n: int = 1) -> None:
        self.done += n
        step = self.done * 20 // self.total if self.total else self.done // 500
        if step != self._last:
            self._last = step
            self._draw()

    def _draw(self, end: str = "") -> None:
        if self.total:
            filled = self.done * 30 // self.total
            text = f"{self.label} [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}"
        else:
            text = f"{self.label} {self.done}"
        if self.tty:
            print(f"\r{text}", end=end, file=self.stream, flush=True)
        elif end:
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        self._draw(end="\n")


class StageBars:
    """An ``on_progress(stage, done, total)`` callback drawing one ``Progress`` per stage."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.bar: Progress | None = None

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if self.bar is None or self.bar.label != stage:
            self.close()
            self.bar = Progress(stage, total, self.stream)
        if done > self.bar.done:
            self.bar.advance(done - self.bar.done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def run_rebuild(ctx: Context, name: str) -> int:
    """Rebuild ``name``, print the comparison (``ctx.emit``), exit 0 if equal to the fold."""
    bars = StageBars()
    try:
        # archive + live: archived events are replayed too, so every model comes out the same
        result = rebuild_projection(ctx.app.history, ctx.app.views, name, bars)
    finally:
        bars.close()
    data = result.as_dict()
    lines = [
        f"rebuilt {name}: {result.events_replayed} events replayed, "
        f"{result.items_deleted} items dropped, {result.items_written} written",
        "equal to the live projection it replaced"
        if not result.differences_from_live
        else f"{len(result.differences_from_live)} differences from the live projection:",
    ]
    lines += [f"  {m.line()}" for m in result.differences_from_live]
    lines.append(
        "equal to a fresh fold of the event log"
        if result.ok
        else f"{len(result.mismatches)} MISMATCHES against the fold:"
    )
    lines += [f"  {m.line()}" for m in result.mismatches]
    ctx.emit(data, "\n".join(lines))
    return 0 if result.ok else 1
