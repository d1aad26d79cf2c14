"""The fast lane (``-m 'not server'``) holds no test that reaches a server: every test of this
run whose parameters put it on DynamoDB Local, or which takes a server's fixture, is marked
``server`` (the same check runs, per test, in the ``settings`` fixture)."""

from __future__ import annotations

import pytest

#: the fixtures that start or reach a server; ``fixturenames`` is a test's whole fixture closure,
#: so a test reaching one through ``app``/``settings``/``client`` names it too, and a module
#: that overrides ``app`` with the twins' does not
SERVER_FIXTURES = {"ddb_endpoint", "state_dir", "module_settings"}


def _on_server(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    params = callspec.params.values() if callspec is not None else ()
    names = set(getattr(item, "fixturenames", ()))
    return any(p == "dynamodb" for p in params) or bool(names & SERVER_FIXTURES)


def test_every_test_of_this_run_that_reaches_a_server_is_marked_server(
    request: pytest.FixtureRequest,
) -> None:
    unmarked = [
        item.nodeid
        for item in request.session.items
        if _on_server(item) and item.get_closest_marker("server") is None
    ]
    assert unmarked == []
