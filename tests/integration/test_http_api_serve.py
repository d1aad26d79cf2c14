"""``acme-txn api serve`` on DynamoDB Local, with tokens minted from the test key pair:
the route-by-principal matrix, a burst of concurrent clients, and what its log keeps."""

from __future__ import annotations

import itertools
import json
import random
import threading
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App
from acme_txn.http_api.routes import ROUTES
from tests.api_serve_support import Served, serving
from tests.auth_support import bearer, principals, token
from tests.customer_support import phone_of, register

A_ACC, B_ACC = "ACC-A", "ACC-B"
_txn = itertools.count()


def _seed(app: App) -> None:
    for customer, account in (("CA", A_ACC), ("CB", B_ACC)):
        register(app.ledger, customer)
        opened = app.ledger.submit_raw(
            {"type": "open_account", "account_id": account, "customer_id": customer}
        )
        assert opened.status == "opened"
        credit = {"type": "credit", "txn_id": f"seed-{account}", "account_id": account}
        assert app.ledger.submit_raw({**credit, "amount": "1000.00"}).status == "approved"


def _call(served: Served, route: str, headers: dict[str, str]) -> int:
    """One request of ``route`` (a ``METHOD path`` of ``ROUTES``) as that principal."""
    n = next(_txn)
    if route == "POST /commands":
        body = {"type": "transfer", "txn_id": f"m{n}", "amount": "0.01"}
        body |= {"from_account": A_ACC, "to_account": B_ACC}
        return served.request("POST", "/commands", body, headers)[0]
    if route == "POST /admin/commands":
        body = {"type": "open_account", "account_id": f"ACC-N{n}", "customer_id": "CA"}
        return served.request("POST", "/admin/commands", body, headers)[0]
    paths = {
        "GET /accounts/<account_id>/balance": f"/accounts/{A_ACC}/balance",
        "GET /accounts/<account_id>/events": f"/accounts/{A_ACC}/events?limit=2",
        "GET /transactions/<txn_id>": f"/transactions/seed-{A_ACC}",
        "GET /health": "/health",
    }
    return served.request("GET", paths[route], None, headers)[0]


#: principal -> the routes it may call (every other secured route: 401 anonymous, else 403)
ALLOWED = {
    "anonymous": set(),
    "customer_a": {"POST /commands", "GET_READS"},
    "customer_b": set(),  # customer A's account: neither its money nor its reads
    "svc_transact": {"POST /commands"},
    "svc_read": {"GET_READS"},
    "svc_operate": {"POST /admin/commands"},
    "operator": {"POST /commands", "POST /admin/commands", "GET_READS"},
}


def expected(principal: str, route: str) -> int:
    if route == "GET /health":
        return 200
    if principal == "anonymous":
        return 401
    key = "GET_READS" if route.startswith("GET ") else route
    return 200 if key in ALLOWED[principal] else 403


def test_given_every_route_and_principal_then_200_401_or_403_as_the_rules_say(
    app: App, settings: Settings, tmp_path: Path
) -> None:
    _seed(app)
    routes = [f"{r.method} {r.path}" for r in ROUTES]
    with serving(settings, tmp_path) as served:
        found = {
            (name, route): _call(served, route, headers)
            for name, headers in principals().items()
            for route in routes
        }
    wanted = {(name, route): expected(name, route) for name, route in found}
    lines = [f"{'':14}" + " ".join(f"{r.split()[1][:22]:>22}" for r in routes)]
    for name in principals():
        lines.append(f"{name:14}" + " ".join(f"{found[name, r]:>22}" for r in routes))
    print("\n".join(lines))
    assert found == wanted


def test_given_customer_b_then_it_moves_its_own_money_only_and_reads_its_own(
    app: App, settings: Settings, tmp_path: Path
) -> None:
    _seed(app)
    customer_b = principals()["customer_b"]
    with serving(settings, tmp_path) as served:
        own = {"type": "transfer", "txn_id": "b-own", "amount": "2.00"}
        own |= {"from_account": B_ACC, "to_account": A_ACC}
        code, body = served.request("POST", "/commands", own, customer_b)
        assert (code, body["status"]) == (200, "approved")
        assert served.request("GET", f"/accounts/{B_ACC}/balance", None, customer_b)[0] == 200
        assert served.request("GET", "/transactions/b-own", None, customer_b)[0] == 200
        # A may read the transfer it received; B may not read A's deposit, nor probe ids
        customer_a = principals()["customer_a"]
        assert served.request("GET", "/transactions/b-own", None, customer_a)[0] == 200
        assert served.request("GET", f"/transactions/seed-{A_ACC}", None, customer_b)[0] == 403
        assert served.request("GET", "/transactions/no-such", None, customer_b)[0] == 403
        credit = {"type": "credit", "txn_id": "b-mint", "account_id": B_ACC, "amount": "9.00"}
        assert served.request("POST", "/commands", credit, customer_b)[0] == 403
        code, txn = served.request("GET", "/transactions/b-own", None, principals()["operator"])
        assert txn["principal"].endswith("#user-b")


def test_given_the_api_used_with_personal_data_then_its_log_holds_none(
    app: App, settings: Settings, tmp_path: Path
) -> None:
    """Customers registered and changed, bad and failing requests: the log (everything the
    server wrote) never shows a phone number or a name that was sent."""
    _seed(app)
    operator = principals()["operator"]
    phones = ["+16465550199", "+19175550123", "+13475550177"]
    names = ["Zebulon Quattlebaum", "Xanthippe Odinsdottir"]
    with serving(settings, tmp_path) as served:
        register_cmd = {"type": "register_customer", "customer_id": "CZ", "name": names[0]}
        register_cmd |= {"phone": phones[0], "state": "NY"}
        assert served.request("POST", "/admin/commands", register_cmd, operator)[0] == 200
        update = {"type": "update_customer", "customer_id": "CZ", "phone": phones[1]}
        assert (
            served.request("POST", "/admin/commands", {**update, "name": names[1]}, operator)[0]
            == 200
        )
        clash = {**register_cmd, "customer_id": "CY", "phone": phones[1]}
        assert served.request("POST", "/admin/commands", clash, operator)[0] == 400
        bad = {**register_cmd, "customer_id": "CX", "phone": phones[2] + "x"}
        assert served.request("POST", "/admin/commands", bad, operator)[0] == 400
        path = f"/accounts/{phones[2]}/balance"
        assert served.request("GET", path, None, operator)[0] == 400
        served.request("POST", "/commands", "{" * 3000, operator)
        log = served.log.read_text(encoding="utf-8")
    assert log.count('"message":"request"') >= 6  # the log was written ...
    for secret in [*phones, *(p[2:] for p in phones), *names, phone_of("CA")]:
        assert secret not in log, secret  # ... and holds none of it


# --- a burst of concurrent clients --------------------------------------------------------

CLIENTS = 16  # at once: the concurrency is what this test is about
PER_CLIENT = 20  # each a mix of transfers, resends and bad bodies
ACCOUNTS = [f"L{i}" for i in range(8)]


def _client(served: Served, number: int, results: list[Any], failures: list[str]) -> None:
    headers = bearer(token(f"load-{number}", ("ledger/transact",)))
    rng = random.Random(number)
    sent: dict[str, tuple[dict[str, Any], Any]] = {}
    for i in range(PER_CLIENT):
        try:
            roll = rng.random()
            if roll < 0.15 and sent:  # a resend: the original outcome again
                txn_id = rng.choice(sorted(sent))
                body, first = sent[txn_id]
                code, again = served.request("POST", "/commands", body, headers)
                results.append(("resend", code, first, again))
            elif roll < 0.25:  # a bad body
                code, answer = served.request("POST", "/commands", '{"type": "transfer",', headers)
                results.append(("bad", code, None, answer))
            else:
                source, target = rng.sample(ACCOUNTS, 2)
                amount = f"{rng.randint(1, 500)}.{rng.randint(0, 99):02d}"
                body = {"type": "transfer", "txn_id": f"c{number}-{i}", "amount": amount}
                body |= {"from_account": source, "to_account": target}
                code, outcome = served.request("POST", "/commands", body, headers)
                sent[body["txn_id"]] = (body, outcome)
                results.append(("transfer", code, body, outcome))
        except OSError as exc:  # a reset or refused connection
            failures.append(f"{type(exc).__name__}: {exc}")


@pytest.mark.slow
def test_given_16_concurrent_clients_then_no_5xx_no_reset_money_exact_resends_answered(
    app: App, settings: Settings, tmp_path: Path
) -> None:
    register(app.ledger, "CL")
    for account in ACCOUNTS:
        opened = {"type": "open_account", "account_id": account, "customer_id": "CL"}
        assert app.ledger.submit_raw(opened).status == "opened"
        credit = {"type": "credit", "txn_id": f"fund-{account}", "account_id": account}
        assert app.ledger.submit_raw({**credit, "amount": "2000.00"}).status == "approved"
    results: list[Any] = []
    failures: list[str] = []
    with serving(settings, tmp_path) as served:
        threads = [
            threading.Thread(target=_client, args=(served, n, results, failures))
            for n in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        balances = {
            a: Decimal(
                served.request("GET", f"/accounts/{a}/balance", None, principals()["operator"])[1][
                    "balance"
                ]
            )
            for a in ACCOUNTS
        }
    assert failures == []
    assert len(results) == CLIENTS * PER_CLIENT
    statuses = Counter(code for _, code, _, _ in results)
    assert not [c for c in statuses if c >= 500], statuses
    bad = Counter(code for kind, code, _, _ in results if kind == "bad")
    odd = [r for r in results if r[0] == "bad" and r[1] != 400][:3]
    assert set(bad) == {400}, (bad, odd)
    for kind, code, first, again in results:
        if kind == "resend":
            assert code == 200 and again["status"] == "duplicate", again
            assert again["original_status"] == first["status"]
    expected = {a: Decimal("2000.00") for a in ACCOUNTS}
    for kind, _, body, outcome in results:
        if kind == "transfer" and outcome["status"] == "approved":
            expected[body["from_account"]] -= Decimal(body["amount"])
            expected[body["to_account"]] += Decimal(body["amount"])
    assert balances == expected
    assert sum(balances.values()) == Decimal("2000.00") * len(ACCOUNTS)
    print(json.dumps({"requests": len(results), "statuses": dict(statuses)}))
