"""A subset of Lambda's event filter pattern language, applied to Lambda-shaped stream records.

A pattern is a JSON object mirroring the record (``{"eventName": ["INSERT"], "dynamodb":
{"NewImage": {"status": {"S": ["declined"]}}}}``). Every key of a pattern must match (AND);
a leaf is a list of matchers of which one must match (OR). Supported matchers: exact values
(string, number, bool, null), ``{"prefix": s}``, ``{"suffix": s}``, ``{"equals-ignore-case":
s}``, ``{"exists": bool}``, ``{"anything-but": value | [values] | {"prefix": s}}``,
``{"numeric": [op, n, (op, n)]}`` and ``"$or": [pattern, ...]``. Numeric matching accepts
numbers and numeric strings (DynamoDB's ``{"N": "12"}``). A record passes filter criteria when
it matches any of its patterns (Lambda allows up to 5); no patterns means everything passes.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from acme_base.errors import InvalidInput
from acme_base.keys import ACCOUNT_PREFIX, TXN_PREFIX

Pattern = Mapping[str, Any]
_MISSING = object()
_NUMERIC_OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
MAX_FILTERS = 5

#: Drop everything in the ledger table that is not a txn event (idempotency records,
#: customers, accounts): the default filter of the projection consumer.
EVENTS_ONLY: dict[str, Any] = {
    "dynamodb": {
        "Keys": {
            "PK": {"S": [{"prefix": ACCOUNT_PREFIX}]},
            "SK": {"S": [{"prefix": TXN_PREFIX}]},
        }
    }
}


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value)) if isinstance(value, int | float | str | Decimal) else None
    except InvalidOperation:
        return None


def _numeric(spec: Sequence[Any], value: Any) -> bool:
    number = _number(value)
    if number is None:
        return False
    for i in range(0, len(spec), 2):
        bound = _number(spec[i + 1])
        if bound is None or not _NUMERIC_OPS[spec[i]](number, bound):
            return False
    return True


def _anything_but(spec: Any, value: Any) -> bool:
    if value is _MISSING:
        return False
    if isinstance(spec, Mapping):
        if "prefix" in spec:
            return not (isinstance(value, str) and value.startswith(spec["prefix"]))
        if "suffix" in spec:
            return not (isinstance(value, str) and value.endswith(spec["suffix"]))
        raise InvalidInput(f"unsupported anything-but operand: {dict(spec)}")
    excluded = spec if isinstance(spec, list) else [spec]
    return all(not _same(x, value) for x in excluded)


def _same(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return expected is value
    if isinstance(expected, int | float) and not isinstance(value, str):
        return _number(value) == _number(expected)
    return bool(expected == value)


def _leaf(matcher: Any, value: Any) -> bool:
    """One matcher against one (scalar) value; ``_MISSING`` when the field is absent."""
    if isinstance(matcher, Mapping):
        ((op, arg),) = matcher.items()
        if op == "exists":
            return (value is not _MISSING) is bool(arg)
        if value is _MISSING:
            return False
        if op == "prefix":
            return isinstance(value, str) and value.startswith(arg)
        if op == "suffix":
            return isinstance(value, str) and value.endswith(arg)
        if op == "equals-ignore-case":
            return isinstance(value, str) and value.casefold() == str(arg).casefold()
        if op == "anything-but":
            return _anything_but(arg, value)
        if op == "numeric":
            return _numeric(arg, value)
        raise InvalidInput(f"unsupported filter operator {op!r}")
    if value is _MISSING:
        return False
    return _same(matcher, value)


def _leaf_any(matchers: Sequence[Any], value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    if not values:
        values = [_MISSING]
    return any(_leaf(m, v) for m in matchers for v in values)


def matches(pattern: Pattern, record: Any) -> bool:
    """True when ``record`` (a Lambda-shaped record or a part of one) matches ``pattern``."""
    for key, sub in pattern.items():
        if key == "$or":
            if not any(matches(p, record) for p in sub):
                return False
            continue
        value = record.get(key, _MISSING) if isinstance(record, Mapping) else _MISSING
        if isinstance(sub, Mapping):
            if value is _MISSING or not isinstance(value, Mapping):
                # an absent object still matches a sub-pattern of only {"exists": false}
                if not _all_absent_ok(sub):
                    return False
                continue
            if not matches(sub, value):
                return False
        elif not _leaf_any(sub, value):
            return False
    return True


def _all_absent_ok(pattern: Pattern) -> bool:
    for key, sub in pattern.items():
        if key == "$or":
            if not any(_all_absent_ok(p) for p in sub):
                return False
        elif isinstance(sub, Mapping):
            if not _all_absent_ok(sub):
                return False
        elif not _leaf_any(sub, _MISSING):
            return False
    return True


def validate_pattern(pattern: Any, path: str = "") -> None:
    """Raise InvalidInput for anything this subset does not understand."""
    if not isinstance(pattern, Mapping):
        raise InvalidInput(f"filter pattern{path or ''} must be a JSON object")
    for key, sub in pattern.items():
        where = f"{path}.{key}"
        if key == "$or":
            if not isinstance(sub, list) or len(sub) < 2:
                raise InvalidInput(f"{where} needs a list of at least two patterns")
            for p in sub:
                validate_pattern(p, where)
        elif isinstance(sub, Mapping):
            validate_pattern(sub, where)
        elif isinstance(sub, list) and sub:
            for matcher in sub:
                _validate_matcher(matcher, where)
        else:
            raise InvalidInput(f"{where}: a leaf must be a non-empty list of matchers")


def _validate_matcher(matcher: Any, where: str) -> None:
    if not isinstance(matcher, Mapping):
        if isinstance(matcher, list | dict):
            raise InvalidInput(f"{where}: bad matcher {matcher!r}")
        return
    if len(matcher) != 1:
        raise InvalidInput(f"{where}: a matcher object has exactly one operator")
    ((op, arg),) = matcher.items()
    if op == "numeric":
        ok = (
            isinstance(arg, list)
            and len(arg) in (2, 4)
            and all(
                arg[i] in _NUMERIC_OPS and _number(arg[i + 1]) is not None
                for i in range(0, len(arg), 2)
            )
        )
        if not ok:
            raise InvalidInput(f"{where}: numeric wants [op, n] or [op, n, op, n]")
    elif op in ("prefix", "suffix", "equals-ignore-case") and not isinstance(arg, str):
        raise InvalidInput(f"{where}: {op} wants a string")
    elif op == "exists" and not isinstance(arg, bool):
        raise InvalidInput(f"{where}: exists wants true or false")
    elif op == "anything-but":
        if isinstance(arg, Mapping) and not set(arg) <= {"prefix", "suffix"}:
            raise InvalidInput(f"{where}: anything-but supports prefix/suffix objects only")
    elif op not in ("prefix", "suffix", "equals-ignore-case", "exists", "anything-but"):
        raise InvalidInput(f"{where}: unsupported filter operator {op!r}")


class FilterCriteria:
    """Lambda's FilterCriteria: a record passes when any pattern matches (or none is set)."""

    def __init__(self, patterns: Sequence[Pattern] = ()) -> None:
        if len(patterns) > MAX_FILTERS:
            raise InvalidInput(f"at most {MAX_FILTERS} filter patterns (got {len(patterns)})")
        for p in patterns:
            validate_pattern(p)
        self.patterns = list(patterns)

    def __call__(self, record: Mapping[str, Any]) -> bool:
        return not self.patterns or any(matches(p, record) for p in self.patterns)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FilterCriteria) and self.patterns == other.patterns

    def __hash__(self) -> int:
        return hash(self.to_json())

    def __repr__(self) -> str:
        return f"FilterCriteria({self.patterns!r})"

    def to_esm(self) -> dict[str, Any]:
        """Lambda's ``FilterCriteria`` parameter of an event source mapping."""
        return {"Filters": [{"Pattern": json.dumps(p, sort_keys=True)} for p in self.patterns]}

    def to_json(self) -> str:
        """The patterns as one JSON text, which ``parse`` reads back."""
        return json.dumps(self.patterns, sort_keys=True)

    @classmethod
    def parse(cls, text_or_obj: Any) -> FilterCriteria:
        """Accept a pattern, a list of patterns, or ``{"Filters": [{"Pattern": "..."}]}``."""
        obj = text_or_obj
        if isinstance(obj, str | bytes):
            try:
                obj = json.loads(obj)
            except ValueError as exc:
                raise InvalidInput(f"filter is not valid JSON: {exc}") from exc
        if isinstance(obj, Mapping) and "Filters" in obj:
            patterns: list[Any] = []
            for f in obj["Filters"]:
                p = f.get("Pattern") if isinstance(f, Mapping) else None
                try:
                    patterns.append(json.loads(p) if isinstance(p, str) else p)
                except ValueError as exc:
                    raise InvalidInput(f"filter pattern is not valid JSON: {exc}") from exc
            return cls(patterns)
        if isinstance(obj, list):
            return cls(obj)
        return cls([obj])
