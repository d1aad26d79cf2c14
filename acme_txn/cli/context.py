"""What every command needs: settings, the resolved endpoint, the assembled app, output.

The parts come from the composition root (``acme_txn.bootstrap``); options come from the
environment (``ACME_LEDGER_*``, ``ACME_PROJECTOR_*``, ``ACME_CONSUMER_*``) with the command's
flags over them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from acme_base.errors import AcmeError
from acme_txn.cli import output

if TYPE_CHECKING:  # the parts are imported when a command first asks for them
    from acme_base.settings import Settings
    from acme_txn.bootstrap import App, Options
    from processor.storage.ports import EventStore

#: the environment of an explicit choice of AWS: a named profile, or running on AWS itself
#: (a Lambda function's environment: the deployed handlers and anything they start)
AWS_CHOICE_VARS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_LAMBDA_FUNCTION_NAME")
NO_BACKEND = (
    "no backend chosen: no local server is running and nothing asks for AWS. Start the "
    "local backend with `acme-txn local start` (then run the command again), or pass "
    "--endpoint-url URL (or set AWS_ENDPOINT_URL); to use AWS itself pass --aws (or set "
    "AWS_PROFILE)"
)


class NoBackend(AcmeError):
    """A command needs a backend and none was chosen (exit 1): never AWS by default."""


def explicit_aws(env: Mapping[str, str]) -> bool:
    """The environment asks for AWS (a profile, or a Lambda function's environment)."""
    return any(env.get(name) for name in AWS_CHOICE_VARS)


def backend_of(args: argparse.Namespace, settings: Settings, env: Mapping[str, str]) -> str:
    """``endpoint`` (a URL given or set, or a running local server), ``aws`` (asked for:
    ``--aws``, a profile, the Lambda environment) or ``none`` (a command that needs a backend
    refuses to run: ``NoBackend``)."""
    if settings.endpoint_url is not None:
        return "endpoint"
    if getattr(args, "aws", False) or explicit_aws(env):
        return "aws"
    return "none"


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Flags win over the environment; with no endpoint, use a running `local start` server."""
    from acme_base.settings import Settings
    from acme_txn.backend.dynamodb_local import running_server

    settings = Settings.from_env(
        os.environ,
        table_prefix=args.table_prefix,
        region=args.region,
        endpoint_url=args.endpoint_url,
    )
    if settings.endpoint_url is None and not args.aws:
        server = running_server(settings.state_dir)
        if server is not None:
            settings = settings.for_local(server.endpoint)
    elif settings.endpoint_url and _is_loopback(settings.endpoint_url):
        settings = settings.for_local(settings.endpoint_url)
    return settings


def _is_loopback(endpoint: str) -> bool:
    return any(h in endpoint for h in ("://127.", "://localhost", "://[::1]"))


@dataclass
class Context:
    args: argparse.Namespace
    settings: Settings
    #: ``backend_of``: "none" makes ``app`` (and ``checked_settings``) raise ``NoBackend``
    backend: str = "endpoint"

    @property
    def checked_settings(self) -> Settings:
        """The settings of a command about to talk to a backend (``NoBackend`` if none)."""
        if self.backend == "none":
            raise NoBackend(NO_BACKEND)
        return self.settings

    @cached_property
    def options(self) -> Options:
        from acme_txn.bootstrap import Options
        from acme_txn.options import from_args

        base = Options.from_env(os.environ)
        return Options(
            ledger=from_args(self.args, "ledger", base.ledger),
            projector=from_args(self.args, "projector", base.projector),
            consumer=from_args(self.args, "consumer", base.consumer),
        )

    @cached_property
    def app(self) -> App:
        return self.app_with(self.options)

    def app_with(self, options: Options) -> App:
        """The product for this command's backend with ``options`` (a consumer's own)."""
        from acme_txn.bootstrap import bootstrap

        return bootstrap(self.checked_settings, options)

    @property
    def dynamodb(self) -> Any:
        return self.app.dynamodb

    @property
    def store(self) -> EventStore:
        return self.app.event_store

    @property
    def output(self) -> str:
        """``json``, ``jsonl``, ``table``, ``csv`` (``--output``), or ``text``."""
        return output.chosen_format(self.args)

    @property
    def as_json(self) -> bool:
        return self.output in ("json", "jsonl")

    def emit(self, data: Any, human: str | None = None) -> None:
        """One record: in the ``--output`` format, else the human text (JSON if none)."""
        fmt = self.output
        if fmt == output.TEXT and human is not None:
            print(human, flush=True)
        else:
            print(output.render_record(data, "json" if fmt == output.TEXT else fmt), flush=True)

    def emit_list(
        self,
        rows: Sequence[Mapping[str, Any]],
        line: Callable[[Mapping[str, Any]], str] | None = None,
        *,
        columns: Sequence[str] | None = None,
        next_token: str | None = None,
    ) -> None:
        """A list: one shape per ``--output`` format (see ``acme_txn.cli.output``)."""
        output.emit_list(self.output, rows, line, columns=columns, next_token=next_token)


def err(message: str) -> None:
    print(f"acme-txn: {message}", file=sys.stderr, flush=True)
