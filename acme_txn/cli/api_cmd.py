"""`acme-txn api serve|openapi`: the HTTP API locally, and its OpenAPI document.

``serve`` answers on 127.0.0.1 through the same resolver the Lambda runs (each request made
into an API Gateway v2 event: ``acme_txn.http_api.local``), against the backend the other
commands use (``acme-txn local start``'s DynamoDB Local unless told otherwise).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from acme_base.errors import InvalidInput
from acme_txn.cli.context import Context
from acme_txn.http_api import HttpApi
from acme_txn.http_api.auth import Authenticator, JwtRules
from acme_txn.http_api.local import WORKERS, make_server
from streams.handlers import CountingMetrics

DEFAULT_OPENAPI = Path("deploy") / "openapi.json"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    api = sub.add_parser("api", help="the HTTP API: serve it locally, write its OpenAPI")
    actions = api.add_subparsers(dest="action", required=True, metavar="ACTION")
    serve = actions.add_parser("serve", parents=[common], help="serve it on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080; 0: any)")
    serve.add_argument("--jwks", type=Path, help="JWKS file of the keys that sign tokens")
    serve.add_argument("--issuer", help="the tokens' required iss")
    serve.add_argument("--audience", help="the tokens' required aud")
    serve.add_argument(
        "--workers", type=int, default=WORKERS, help=f"request threads (default {WORKERS})"
    )
    serve.add_argument(
        "--insecure-no-auth",
        action="store_true",
        help="answer every caller as an operator, without tokens (play only, never deployed)",
    )
    serve.set_defaults(func=cmd_serve)
    openapi = actions.add_parser("openapi", parents=[common], help="print/write its OpenAPI")
    openapi.add_argument("--out", type=Path, help=f"write here (e.g. {DEFAULT_OPENAPI})")
    openapi.set_defaults(func=cmd_openapi)


def cmd_serve(ctx: Context) -> int:
    """Serve until interrupted; the first stdout line is ``{"url": ...}`` (JSON)."""
    if not 0 <= ctx.args.port <= 65535:
        raise InvalidInput("--port must be between 0 and 65535")
    if not 1 <= ctx.args.workers <= 256:
        raise InvalidInput("--workers must be between 1 and 256")
    auth = authenticator(ctx.args)
    api = HttpApi(ctx.app, CountingMetrics(), auth)
    server = make_server(api, ctx.args.port, workers=ctx.args.workers)
    print(json.dumps({"url": f"http://127.0.0.1:{server.server_port}"}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def authenticator(args: argparse.Namespace) -> Authenticator:
    """Tokens checked against ``--jwks``/``--issuer``/``--audience``, or, with
    ``--insecure-no-auth``, none (warned about on stderr at every start)."""
    given = [args.jwks, args.issuer, args.audience]
    if args.insecure_no_auth:
        if any(given):
            raise InvalidInput("--insecure-no-auth takes no --jwks, --issuer or --audience")
        print(
            "WARNING: --insecure-no-auth: every caller may do everything, without a token. "
            "For play on this machine only.",
            file=sys.stderr,
            flush=True,
        )
        return Authenticator(insecure=True)
    if not all(given):
        raise InvalidInput(
            "give --jwks FILE --issuer ISS --audience AUD (or --insecure-no-auth, for play)"
        )
    return Authenticator(JwtRules.from_file(args.jwks, args.issuer, args.audience))


def cmd_openapi(ctx: Context) -> int:
    document = openapi_document(ctx)
    if ctx.args.out is None:
        print(document, flush=True)
    else:
        ctx.args.out.write_text(document + "\n", encoding="utf-8")
        ctx.emit({"written": str(ctx.args.out)}, f"wrote {ctx.args.out}")
    return 0


def openapi_document(ctx: Context) -> str:
    """Built from the routes on the in-memory twins: no backend is needed or called."""
    from acme_txn.bootstrap import bootstrap

    return HttpApi(bootstrap(ctx.settings, memory=True), CountingMetrics()).openapi_json()
