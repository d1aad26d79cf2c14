"""Test identities: an RS256 and an ES256 key pair (made once per run), their JWKS, and
tokens minted from them, as an identity provider would issue them."""

from __future__ import annotations

import functools
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from acme_txn.http_api.access import OPERATE, READ, SCOPES, TRANSACT
from acme_txn.http_api.auth import Authenticator, JwtRules

ISSUER = "https://idp.test.example/pool-1"
AUDIENCE = "acme-txn-api"


@functools.cache
def _keys() -> dict[str, Any]:
    return {
        "rsa-1": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ec-1": ec.generate_private_key(ec.SECP256R1()),
    }


def jwks() -> dict[str, Any]:
    """The public keys, as an identity provider publishes them."""
    found = []
    for kid, key in _keys().items():
        if isinstance(key, rsa.RSAPrivateKey):
            data = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            data["alg"] = "RS256"
        else:
            data = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
            data["alg"] = "ES256"
        found.append({**data, "kid": kid, "use": "sig"})
    return {"keys": found}


def rules() -> JwtRules:
    return JwtRules.from_jwks(json.dumps(jwks()), ISSUER, AUDIENCE)


def authenticator() -> Authenticator:
    return Authenticator(rules())


def token(
    subject: str,
    scopes: tuple[str, ...] = SCOPES,
    customer_id: str | None = None,
    kid: str = "rsa-1",
    **claims: Any,
) -> str:
    """A signed access token (RS256 with ``rsa-1``, ES256 with ``ec-1``), valid for six hours:
    modules mint theirs when imported, which in a whole run is long before their tests run."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": subject,
        "iat": now,
        "exp": now + 6 * 3600,
        "scope": " ".join(scopes),
    }
    if customer_id is not None:
        payload["customer_id"] = customer_id
    payload |= claims
    alg = "RS256" if kid.startswith("rsa") else "ES256"
    return jwt.encode(payload, _keys()[kid], algorithm=alg, headers={"kid": kid})


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


#: the principals of the route matrix (anonymous: no header)
PRINCIPALS: dict[str, dict[str, str]] = {}


def principals() -> dict[str, dict[str, str]]:
    """Name -> headers: customers A and B (all scopes, their own customer ids), a service
    token per scope, and an operator (every scope, no customer)."""
    if not PRINCIPALS:
        PRINCIPALS.update(
            {
                "anonymous": {},
                "customer_a": bearer(token("user-a", (TRANSACT, READ), customer_id="CA")),
                "customer_b": bearer(token("user-b", (TRANSACT, READ), customer_id="CB")),
                "svc_transact": bearer(token("svc-pay", (TRANSACT,))),
                "svc_read": bearer(token("svc-read", (READ,), kid="ec-1")),
                "svc_operate": bearer(token("svc-ops", (OPERATE,))),
                "operator": bearer(token("ops-1", SCOPES, kid="ec-1")),
            }
        )
    return PRINCIPALS
