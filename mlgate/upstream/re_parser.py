"""`re`'s own regular-expression parser, a private API: `sre_parse` / `sre_constants` before
Python 3.11, `re._parser` / `re._constants` since. The only module of mlgate that imports it.

Callers must treat every helper as best effort: a pattern the parser cannot read (syntax of
the `regex` module, say), or a future Python whose parser changed shape, raises, and the
caller then assumes nothing (skips no text).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

PARSER_MODULE, CONSTANTS_MODULE = (("re._parser", "re._constants") if sys.version_info >= (3, 11)
                                   else ("sre_parse", "sre_constants"))

parser: Any = importlib.import_module(PARSER_MODULE)
constants: Any = importlib.import_module(CONSTANTS_MODULE)

# what the helpers below use of the two modules (tests/hooks/pii/test_upstream.py checks them)
PARSER_NAMES = ("parse",)
CONSTANT_NAMES = ("LITERAL", "IN", "SUBPATTERN", "ATOMIC_GROUP", "MAX_REPEAT", "MIN_REPEAT",
                  "POSSESSIVE_REPEAT", "BRANCH")


def parse(pattern: str, flags: int = 0) -> Any:
    """The parsed pattern (a SubPattern: a sequence of (opcode, argument) items)."""
    return parser.parse(pattern, flags)


def min_width(pattern: str, flags: int = 0) -> int:
    """The length of the shortest text `pattern` can match."""
    return int(parse(pattern, flags).getwidth()[0])


def required_literals(pattern: str, flags: int = 0) -> frozenset[str]:
    """Characters every match of `pattern` contains: literals (and one-character sets)
    outside optional parts and look-arounds, in every branch of an alternation. Raises on a
    pattern the parser cannot read."""
    c = constants

    def required(items: Any) -> set[str]:
        out: set[str] = set()
        for op, arg in items:
            if op is c.LITERAL:
                out.add(chr(arg))
            elif op is c.IN and len(arg) == 1 and arg[0][0] is c.LITERAL:
                out.add(chr(arg[0][1]))
            elif op is c.SUBPATTERN:
                out |= required(arg[3])
            elif op is c.ATOMIC_GROUP:
                out |= required(arg)
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and arg[0] >= 1:
                out |= required(arg[2])
            elif op is c.BRANCH:
                out |= set.intersection(*(required(b) for b in arg[1]))
        return out

    return frozenset(required(parse(pattern, flags)))
