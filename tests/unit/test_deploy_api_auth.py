"""The template's API authorisation: the JWT authoriser with the scope of every route (the
health check alone open), the same routes for AWS principals behind ``AWS_IAM``, and the
function URL's function given what it needs to check tokens itself."""

from __future__ import annotations

from typing import Any

from acme_txn.deploy.template import render as build
from acme_txn.http_api.routes import ROUTES


def _of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_given_the_template_then_every_route_but_health_needs_a_jwt_with_its_scope() -> None:
    template = build()
    routes = _of_type(template, "AWS::ApiGatewayV2::Route")
    public = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in routes.values()
        if r["Properties"]["ApiId"] == {"Ref": "HttpApi"}
    }
    expected = {f"{r.method} {r.path.replace('<', '{').replace('>', '}')}": r for r in ROUTES}
    assert set(public) == set(expected)
    for key, props in public.items():
        scope = expected[key].scope
        if scope is None:
            assert key == "GET /health" and props["AuthorizationType"] == "NONE"
        else:
            assert props["AuthorizationType"] == "JWT"
            assert props["AuthorizerId"] == {"Ref": "HttpApiJwtAuthorizer"}
            assert props["AuthorizationScopes"] == [scope]
    authorizer = template["Resources"]["HttpApiJwtAuthorizer"]["Properties"]
    assert authorizer["JwtConfiguration"] == {
        "Issuer": {"Ref": "JwtIssuer"},
        "Audience": [{"Ref": "JwtAudience"}],
    }


def test_given_the_service_api_then_every_route_is_aws_iam() -> None:
    routes = _of_type(build(), "AWS::ApiGatewayV2::Route")
    service = [
        r["Properties"]
        for r in routes.values()
        if r["Properties"]["ApiId"] == {"Ref": "ServiceHttpApi"}
    ]
    assert len(service) == len(ROUTES)
    assert {p["AuthorizationType"] for p in service} == {"AWS_IAM"}


def test_given_the_function_url_then_the_function_checks_tokens_itself() -> None:
    template = build()
    variables = template["Resources"]["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["ACME_AUTH_JWKS"] == {"Ref": "JwtJwks"}
    assert variables["ACME_AUTH_ISSUER"] == {"Ref": "JwtIssuer"}
    assert variables["ACME_AUTH_AUDIENCE"] == {"Ref": "JwtAudience"}
