"""Who may do what (``acme_txn.http_api.access``, pure) and how a caller is recognised
(``acme_txn.http_api.auth``: PyJWT over a test key pair, API Gateway's verified identities)."""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest

from acme_txn.http_api.access import (
    OPERATE,
    READ,
    TRANSACT,
    Forbidden,
    NotAuthenticated,
    Principal,
    check_commands,
    iam_principal_id,
    may_read,
    principal_id,
    require,
)
from acme_txn.http_api.auth import Authenticator, JwtRules
from tests.auth_support import AUDIENCE, ISSUER, _keys, jwks, rules, token

CUSTOMER_A = Principal("jwt:x#a", frozenset({TRANSACT, READ}), "CA")
SERVICE = Principal("jwt:x#svc", frozenset({TRANSACT}))
OWNERS = {"A1": "CA", "B1": "CB"}


# --- scopes ------------------------------------------------------------------------------


def test_given_no_principal_then_only_the_open_route() -> None:
    assert require(None, None).id == "anonymous"
    with pytest.raises(NotAuthenticated):
        require(None, READ)


@pytest.mark.parametrize("scope", [TRANSACT, READ, OPERATE])
def test_given_a_principal_without_the_scope_then_forbidden(scope: str) -> None:
    others = frozenset({TRANSACT, READ, OPERATE} - {scope})
    with pytest.raises(Forbidden, match=scope):
        require(Principal("p", others), scope)
    assert require(Principal("p", frozenset({scope})), scope).id == "p"


def test_given_a_customer_with_the_operate_scope_then_it_still_may_not_operate() -> None:
    with pytest.raises(Forbidden, match="customers"):
        require(Principal("p", frozenset({OPERATE}), "CA"), OPERATE)


# --- a customer's commands ---------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        {"type": "debit", "account_id": "A1"},
        {"type": "transfer", "from_account": "A1", "to_account": "B1"},
        {"type": "linked", "legs": [{"type": "debit", "account_id": "A1"}]},
    ],
)
def test_given_a_customer_moving_its_own_money_then_allowed(command: dict[str, Any]) -> None:
    check_commands(CUSTOMER_A, [command], OWNERS)


@pytest.mark.parametrize(
    "command",
    [
        {"type": "debit", "account_id": "B1"},
        {"type": "transfer", "from_account": "B1", "to_account": "A1"},
        {"type": "transfer", "from_account": "NOPE", "to_account": "A1"},
        {"type": "credit", "account_id": "A1"},
        {"type": "post_pending", "pending_txn_id": "P1"},
        {"type": "linked", "legs": [{"type": "debit", "account_id": "A1"}, {"type": "credit"}]},
        {"type": "linked", "legs": [{"type": "transfer", "from_account": "B1"}]},
        {"type": "debit", "account_id": ["A1"]},
    ],
)
def test_given_a_customer_outside_its_accounts_then_forbidden(command: dict[str, Any]) -> None:
    with pytest.raises(Forbidden):
        check_commands(CUSTOMER_A, [command], OWNERS)


def test_given_a_service_then_its_scope_alone_limits_it() -> None:
    check_commands(SERVICE, [{"type": "credit", "account_id": "B1"}], OWNERS)


def test_given_reads_then_a_customer_only_its_own_and_a_service_anything() -> None:
    may_read(CUSTOMER_A, ["CA"])
    may_read(CUSTOMER_A, ["CB", "CA"])  # a transfer between A and B: both may read it
    may_read(SERVICE, ["CB"])
    for owners in (["CB"], [None], []):
        with pytest.raises(Forbidden):
            may_read(CUSTOMER_A, owners)


# --- principal ids: bounded, no personal data --------------------------------------------


def test_given_an_email_subject_then_the_principal_id_holds_its_digest_only() -> None:
    found = principal_id(ISSUER, "jane.doe@example.com")
    assert "jane" not in found and found.startswith("jwt:https://idp.test.example/pool-1#h-")
    assert principal_id(ISSUER, "0f3c-11aa") == f"jwt:{ISSUER}#0f3c-11aa"
    assert len(principal_id("x" * 5000, "y" * 5000)) <= 200


def test_given_an_assumed_role_then_the_session_name_is_digested() -> None:
    arn = "arn:aws:sts::123456789012:assumed-role/payments/jane.doe@example.com"
    found = iam_principal_id(arn)
    assert found.startswith("iam:arn:aws:sts::123456789012:assumed-role/payments/h-")
    assert "jane" not in found


# --- tokens ------------------------------------------------------------------------------


def _event(headers: dict[str, str], authorizer: dict[str, Any] | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {"authorizer": authorizer} if authorizer else {}
    return {"headers": headers, "requestContext": context}


@pytest.mark.parametrize("kid", ["rsa-1", "ec-1"])
def test_given_a_valid_rs256_or_es256_token_then_its_principal(kid: str) -> None:
    value = token("user-a", (READ,), customer_id="CA", kid=kid)
    found = Authenticator(rules()).principal(_event({"authorization": f"Bearer {value}"}))
    assert found == Principal(f"jwt:{ISSUER}#user-a", frozenset({READ}), "CA")


def _hs256_with_public_key() -> str:
    """The classic confusion: an HMAC token keyed with the RSA public key's text (made by
    hand: PyJWT itself refuses to sign so)."""
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}).encode())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": 2_000_000_000}
    body = b64(json.dumps(claims).encode())
    key = json.dumps(jwks()["keys"][0]).encode()
    signature = hmac.new(key, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(signature)}"


@pytest.mark.parametrize(
    "value",
    [
        token("u", exp=1),  # expired
        token("u", iss="https://evil.example"),
        token("u", aud="another-api"),
        token("u", kid="rsa-1")[:-4] + "AAAA",  # signature altered
        jwt.encode(
            {"iss": ISSUER, "aud": AUDIENCE, "sub": "u", "exp": 2_000_000_000},
            _keys()["rsa-1"],
            algorithm="RS256",
            headers={"kid": "unknown"},
        ),
        jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "u"}, _keys()["rsa-1"], "RS256"),
        "not.a.token",
        token("u", customer_id="bad id with spaces"),
    ],
    ids=["expired", "issuer", "audience", "signature", "kid", "no-exp", "garbage", "customer"],
)
def test_given_a_bad_token_then_not_authenticated(value: str) -> None:
    with pytest.raises(NotAuthenticated):
        Authenticator(rules()).principal(_event({"authorization": f"Bearer {value}"}))


def test_given_an_hs256_token_keyed_with_the_public_key_then_refused() -> None:
    with pytest.raises(NotAuthenticated):
        Authenticator(rules()).principal(
            _event({"authorization": f"Bearer {_hs256_with_public_key()}"})
        )


def test_given_no_header_then_anonymous_and_a_basic_header_then_refused() -> None:
    assert Authenticator(rules()).principal(_event({})) is None
    with pytest.raises(NotAuthenticated):
        Authenticator(rules()).principal(_event({"Authorization": "Basic dXNlcjpwdw=="}))


def test_given_a_token_and_no_verifier_then_refused_not_trusted() -> None:
    with pytest.raises(NotAuthenticated):
        Authenticator().principal(_event({"authorization": f"Bearer {token('u')}"}))


def test_given_api_gateways_verified_identities_then_they_are_used() -> None:
    jwt_ctx = {"jwt": {"claims": {"iss": ISSUER, "sub": "u1", "scope": "ledger/read"}}}
    found = Authenticator().principal(_event({}, jwt_ctx))
    assert found == Principal(f"jwt:{ISSUER}#u1", frozenset({READ}))
    iam_ctx = {"iam": {"userArn": "arn:aws:iam::123456789012:role/payments"}}
    found = Authenticator().principal(_event({}, iam_ctx))
    assert found is not None and found.id == "iam:arn:aws:iam::123456789012:role/payments"


def test_given_a_jwks_without_keys_then_invalid_input() -> None:
    from acme_base.errors import InvalidInput

    with pytest.raises(InvalidInput):
        JwtRules.from_jwks('{"keys": []}', ISSUER, AUDIENCE)
