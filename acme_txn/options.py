"""Options declared once, on the dataclasses that use them; flags and variables generated.

Every field of an options dataclass (``EsmConfig``, ``ProjectorConfig``, ``LedgerConfig``)
carries ``metadata={"help": ..., "flag": ...}``. From that one declaration this module makes
the CLI's flags (``add_arguments``), reads them back (``from_args``), and reads the same options
from a Lambda's environment (``from_env``: ``ACME_<GROUP>_<FIELD>``, e.g.
``ACME_PROJECTOR_WORKERS``, ``ACME_CONSUMER_BATCH_SIZE``). A field without ``help`` is internal
and is neither a flag nor a variable.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from acme_base.errors import InvalidInput
from streams.filters import FilterCriteria

T = TypeVar("T")


def _fields(cls: type[Any]) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if f.metadata.get("help")]


def flag_of(group: str, field: dataclasses.Field[Any]) -> str:
    """The CLI flag of a field: its declared ``flag``, else ``--<group>-<field>``."""
    declared = field.metadata.get("flag")
    if declared:
        return str(declared)
    name = field.name.replace("_", "-")
    return f"--{group}-{name}" if group else f"--{name}"


def dest_of(group: str, field: dataclasses.Field[Any]) -> str:
    return f"opt_{group}_{field.name}"


def env_of(group: str, field: dataclasses.Field[Any]) -> str:
    return f"ACME_{group.upper()}_{field.name.upper()}"


def add_arguments(parser: argparse.ArgumentParser, group: str, defaults: Any) -> None:
    """A flag for every documented field of ``defaults``' dataclass, showing its default."""
    for field in _fields(type(defaults)):
        default = getattr(defaults, field.name)
        shown = default.to_json() if isinstance(default, FilterCriteria) else default
        kwargs: dict[str, Any] = {
            "dest": dest_of(group, field),
            "default": None,
            "help": f"{field.metadata['help']} (default {shown})",
        }
        if "choices" in field.metadata:
            kwargs["choices"] = field.metadata["choices"]
        if isinstance(default, bool):
            kwargs["action"] = argparse.BooleanOptionalAction
        elif isinstance(default, int | float):
            kwargs["type"] = type(default)
        parser.add_argument(flag_of(group, field), **kwargs)


def from_args(args: argparse.Namespace, group: str, defaults: T) -> T:
    """``defaults`` with every flag the user gave."""
    given = {}
    for field in _fields(type(defaults)):
        value = getattr(args, dest_of(group, field), None)
        if value is not None:
            given[field.name] = _convert(field, getattr(defaults, field.name), value)
    return dataclasses.replace(defaults, **given) if given else defaults  # type: ignore[type-var]


def from_env(env: Mapping[str, str], group: str, defaults: T) -> T:
    """``defaults`` with every ``ACME_<GROUP>_<FIELD>`` variable that is set."""
    given = {}
    for field in _fields(type(defaults)):
        name = env_of(group, field)
        raw = env.get(name)
        if raw is not None and raw != "":
            given[field.name] = _parse(field, getattr(defaults, field.name), raw, name)
    return dataclasses.replace(defaults, **given) if given else defaults  # type: ignore[type-var]


def _convert(field: dataclasses.Field[Any], default: Any, value: Any) -> Any:
    if isinstance(default, FilterCriteria):
        return FilterCriteria.parse(value)
    return value


def _parse(field: dataclasses.Field[Any], default: Any, raw: str, name: str) -> Any:
    """A variable's text as the field's type, or a clear error naming the variable."""
    try:
        if isinstance(default, FilterCriteria):
            return FilterCriteria.parse(raw)
        if isinstance(default, bool):
            lowered = raw.strip().lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(raw)
            return lowered in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        return raw
    except (ValueError, InvalidInput) as exc:
        raise InvalidInput(f"{name}={raw!r}: not a valid {field.name}") from exc


def env_table(group: str, defaults: Any) -> dict[str, str]:
    """Every variable of a group with its default as text (for templates and docs)."""
    out = {}
    for field in _fields(type(defaults)):
        value = getattr(defaults, field.name)
        if isinstance(value, FilterCriteria):
            out[env_of(group, field)] = value.to_json()
        elif isinstance(value, bool):
            out[env_of(group, field)] = "true" if value else "false"
        else:
            out[env_of(group, field)] = str(value)
    return out
