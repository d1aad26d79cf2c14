"""Who is calling: a JWT verified here (``api serve``, a function URL), or the identity API
Gateway already verified (its JWT authoriser, an ``AWS_IAM`` route).

Verification is PyJWT's: RS256 or ES256 only, the key chosen by ``kid`` from a JWKS, the
algorithm the key's own (no ``alg`` confusion), ``iss``, ``aud``, ``exp`` and ``sub``
required. The same ``Authenticator`` runs in the Lambda and in ``api serve``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from pydantic import TypeAdapter, ValidationError

from acme_base.errors import InvalidInput
from acme_txn.http_api.access import (
    OPERATE,
    READ,
    SCOPES,
    TRANSACT,
    NotAuthenticated,
    Principal,
    iam_principal_id,
    principal_id,
    scopes_of,
)
from processor.domain.command_base import Id

ALGORITHMS = ("RS256", "ES256")
LEEWAY_S = 30
CUSTOMER_CLAIM = "customer_id"
#: what an ``AWS_IAM`` caller may do: its IAM policy (``execute-api:Invoke`` on routes)
#: decides which routes it reaches
IAM_SCOPES = frozenset({TRANSACT, READ, OPERATE})
INSECURE = Principal("insecure:no-auth", frozenset(SCOPES))
_ID: TypeAdapter[str] = TypeAdapter(Id)


@dataclass(frozen=True)
class JwtRules:
    """What a token must satisfy: signed by a key of ``keys``, for ``issuer`` and
    ``audience``."""

    issuer: str
    audience: str
    keys: jwt.PyJWKSet

    @classmethod
    def from_jwks(cls, jwks: str, issuer: str, audience: str) -> JwtRules:
        """From a JWKS document's JSON text; ``InvalidInput`` if it holds no usable key."""
        if not issuer or not audience:
            raise InvalidInput("a JWKS needs an issuer and an audience")
        try:
            keys = jwt.PyJWKSet.from_dict(json.loads(jwks))
        except (ValueError, jwt.PyJWKError, jwt.PyJWKSetError) as exc:
            raise InvalidInput(f"not a usable JWKS: {exc}") from exc
        return cls(issuer, audience, keys)

    @classmethod
    def from_file(cls, path: Path, issuer: str, audience: str) -> JwtRules:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"cannot read the JWKS file {path}: {exc.strerror}") from exc
        return cls.from_jwks(text, issuer, audience)

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or ``NotAuthenticated`` saying briefly why."""
        try:
            header = jwt.get_unverified_header(token)
            key = self._key(header)
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=list(ALGORITHMS),
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise NotAuthenticated(f"invalid token ({type(exc).__name__})") from exc
        return claims

    def _key(self, header: Mapping[str, Any]) -> jwt.PyJWK:
        if header.get("alg") not in ALGORITHMS:
            raise jwt.InvalidAlgorithmError("only RS256 and ES256 are accepted")
        kid = header.get("kid")
        for key in self.keys.keys:
            if (kid is None and len(self.keys.keys) == 1) or key.key_id == kid:
                return key
        raise jwt.InvalidKeyError("no key of the JWKS has this kid")


@dataclass(frozen=True)
class Authenticator:
    """The caller of an API Gateway v2 / function URL event: API Gateway's verified identity
    if it sent one, else a bearer token checked against ``rules``; None: anonymous.
    ``insecure``: every caller is a local operator (play only)."""

    rules: JwtRules | None = None
    insecure: bool = False

    def principal(self, event: Mapping[str, Any]) -> Principal | None:
        if self.insecure:
            return INSECURE
        authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
        if isinstance(authorizer.get("jwt"), Mapping):
            found = authorizer["jwt"]
            claims = found.get("claims") or {}
            return from_claims(claims, found.get("scopes"))
        if isinstance(authorizer.get("iam"), Mapping):
            arn = str(authorizer["iam"].get("userArn") or authorizer["iam"].get("userId"))
            return Principal(iam_principal_id(arn), IAM_SCOPES)
        token = bearer_token(event.get("headers") or {})
        if token is None:
            return None
        if self.rules is None:
            raise NotAuthenticated("this API verifies no tokens itself")
        return from_claims(self.rules.verify(token))


def bearer_token(headers: Mapping[str, str]) -> str | None:
    """The token of ``Authorization: Bearer <token>``; None without the header."""
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("use Authorization: Bearer <token>")
    return token.strip()


def from_claims(claims: Mapping[str, Any], scopes: Any = None) -> Principal:
    """A principal from verified claims: ``scope`` (or API Gateway's ``scopes``), and the
    customer it is (``customer_id``, an id like the ledger's)."""
    issuer, subject = claims.get("iss"), claims.get("sub")
    if not isinstance(issuer, str) or not isinstance(subject, str) or not subject:
        raise NotAuthenticated("the token has no issuer or subject")
    granted = scopes_of(scopes) or scopes_of(claims.get("scope")) or scopes_of(claims.get("scp"))
    customer = claims.get(CUSTOMER_CLAIM)
    if customer is not None and not _valid_id(customer):
        raise NotAuthenticated(f"the token's {CUSTOMER_CLAIM} is not a customer id")
    return Principal(principal_id(issuer, subject), granted, customer)


def _valid_id(value: Any) -> bool:
    try:
        _ID.validate_python(value)
    except ValidationError:
        return False
    return True
