"""A stream handler for consumers that keep state: it speaks Lambda's tumbling-window
protocol when the event carries a ``window`` (the local poller with ``tumbling_window_s``, or
Lambda with ``TumblingWindowInSeconds``) and works without it too (LocalStack ignores tumbling
windows for DynamoDB streams).

The sink gets the batch's events, the window's ``state`` (None without a window) and whether
this is the window's final invocation, and returns the ``(account, seq)`` pairs it did not
apply and the next state. Records become item failures as in ``StreamHandler`` (a failed
record fails every later record of its account); the response carries ``state`` whenever the
event had a window, as Lambda requires.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from processor.domain.events import LedgerEvent
from streams.handlers import MetricsLike, StreamHandler

WindowSink = Callable[
    [list[LedgerEvent], dict[str, Any] | None, bool],
    tuple[frozenset[tuple[str, int]], dict[str, Any]],
]


class WindowedStreamHandler:
    """``handler(event, context) -> {"state"?: {...}, "batchItemFailures": [...]}``."""

    def __init__(self, sink: WindowSink, metrics: MetricsLike | None = None) -> None:
        self.sink = sink
        self.metrics = metrics

    def __call__(self, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        windowed = isinstance(event.get("window"), dict)
        state = dict(event.get("state") or {}) if windowed else None
        final = windowed and bool(event.get("isFinalInvokeForWindow"))
        after: dict[str, dict[str, Any]] = {}

        def sink(events: list[LedgerEvent]) -> frozenset[tuple[str, int]]:
            failed, after["state"] = self.sink(events, state, final)
            return failed

        inner = StreamHandler(sink, self.metrics)
        response: dict[str, Any] = {"batchItemFailures": []}
        if event.get("Records"):
            response = dict(inner(event, context))
        if "state" not in after and (final or event.get("Records")):
            # no event reached the sink (none of the records was a new event): still let it
            # see the window close, and carry the state on unchanged
            after["state"] = self.sink([], state, final)[1]
        if windowed:
            response["state"] = after.get("state", state or {})
        return response
