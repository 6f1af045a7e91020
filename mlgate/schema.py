"""The policy schema machinery: typed keys with defaults, and their strict validation.

The core's shared keys (policy.py) and every hook's own table (`mlgate/hooks/<hook>/config.py`)
are declared with `Key`; `validate` checks one table against its schema and raises an
MlgateError naming the file, the key and what was expected.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mlgate.errors import MlgateError

SEVERITIES = ("error", "warning", "note")


@dataclass(frozen=True)
class Key:
    type: str  # str, bool, int, float, list[str], table[str], list[table]
    default: Any
    doc: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    check: Callable[[Any], str | None] | None = None  # returns a problem, or None


def regex(value: Any) -> str | None:
    """A check: every string is a valid regular expression."""
    for pattern in value if isinstance(value, list) else [value]:
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError) as e:
            return f"a valid regular expression ({pattern[:80]!r}: {e})"
    return None


def rule_ids(check: str) -> Callable[[list[str]], str | None]:
    """A check: a list of rule ids of one hook (`secrets/<name>`, or the bare name)."""
    def problem(value: list[str]) -> str | None:
        for rule in value:
            family, slash, name = rule.rpartition("/")
            if not name or (slash and family != check):
                return f"a list of {check} rule ids ('{check}/<name>'), not {rule!r}"
        return None
    return problem


def nonempty(value: str) -> str | None:
    return None if value.strip() else "a non-empty path"


def type_ok(value: Any, type_: str) -> bool:
    if type_ == "str":
        return isinstance(value, str)
    if type_ == "bool":
        return isinstance(value, bool)
    if type_ == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_ == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_ == "list[str]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if type_ == "table[str]":
        return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    if type_ == "list[table]":
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    raise AssertionError(type_)


EXPECT = {"str": "a string", "bool": "true or false", "int": "an integer",
          "float": "a number", "list[str]": "a list of strings",
          "table[str]": "a table of strings", "list[table]": "an array of tables"}


def did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def validate(values: Mapping[str, Any], schema: Mapping[str, Key], where: str,
             source: str) -> dict[str, Any]:
    """The given values of one table, checked against its schema (defaults not filled in)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        spec = schema.get(name)
        key = f"{where}.{name}" if where else name
        if spec is None:
            known = ", ".join(sorted(schema))
            raise MlgateError(f"{source}: unknown key '{key}'{did_you_mean(name, schema)} "
                              f"(expected one of: {known})")
        if not type_ok(value, spec.type):
            shown = repr(value)
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            raise MlgateError(f"{source}: '{key}' must be {EXPECT[spec.type]}, "
                              f"not {type(value).__name__} {shown}")
        if spec.type == "float" and not math.isfinite(value):
            # nan and inf are numbers to TOML but no threshold or budget: they would silently
            # disable what they set
            raise MlgateError(f"{source}: '{key}' must be a finite number, not {value}")
        if spec.choices and value not in spec.choices:
            raise MlgateError(f"{source}: '{key}' must be one of {', '.join(spec.choices)}, "
                              f"not {value!r}")
        if spec.minimum is not None and value < spec.minimum:
            raise MlgateError(f"{source}: '{key}' must be at least {spec.minimum}, not {value}")
        if spec.maximum is not None and value > spec.maximum:
            raise MlgateError(f"{source}: '{key}' must be at most {spec.maximum}, not {value}")
        problem = spec.check(value) if spec.check else None
        if problem:
            raise MlgateError(f"{source}: '{key}' must be {problem}")
        out[name] = value
    return out
