""".npy headers (also the members of .npz archives), parsed without numpy.

The header is a Python dict literal, read with `ast.literal_eval` (which evaluates literals
only, as numpy itself does). An object dtype anywhere in it means the data is a pickle.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlgate.hooks.serialization.opcodes import Source

HEADER_CAP = 1 << 20
_SIMPLE = re.compile(r"[<>|=]?([a-zA-Z?])(\d*)(?:\[\w+\])?")
_FIXED = {"b": 1, "?": 1, "O": 8}


@dataclass
class Header:
    descr: str
    has_object: bool
    nbytes: int | None  # None: the dtype's size is not computed here
    data_offset: int


def _itemsize(descr: Any, depth: int = 0) -> tuple[int | None, bool]:
    """(itemsize or None, has objects) of a descr (a string or a structured list)."""
    if depth > 32:
        return None, True
    if isinstance(descr, str):
        m = _SIMPLE.fullmatch(descr)
        if not m:
            return None, "O" in descr
        kind, digits = m.groups()
        if kind == "O":
            return 8, True
        if kind in _FIXED and not digits:
            return _FIXED[kind], False
        if not digits:
            return None, False
        n = int(digits)
        return (n * 4 if kind == "U" else n), False
    if isinstance(descr, list):
        total: int | None = 0
        obj = False
        for field in descr:
            if not isinstance(field, tuple) or len(field) not in (2, 3):
                return None, True
            size, o = _itemsize(field[1], depth + 1)
            obj = obj or o
            count = 1
            if len(field) == 3:
                shape = field[2] if isinstance(field[2], tuple) else (field[2],)
                for d in shape:
                    count *= d if isinstance(d, int) and d >= 0 else 0
            total = None if size is None or total is None else total + size * count
        return total, obj
    return None, True


def header(read: Callable[[int], bytes]) -> tuple[Header, str]:
    """The header of a .npy stream, or a problem."""
    bad = Header("", False, None, 0)
    first = read(10)
    if len(first) < 10 or not first.startswith(b"\x93NUMPY"):
        return bad, "too short for a .npy header"
    major = first[6]
    if major == 1:
        n = int.from_bytes(first[8:10], "little")
        start = 10
    elif major in (2, 3):
        more = read(2)
        if len(more) < 2:
            return bad, "truncated .npy header"
        n = int.from_bytes(first[8:10] + more, "little")
        start = 12
    else:
        return bad, f"unknown .npy version {major}"
    if n > HEADER_CAP:
        return bad, f"a .npy header of {n:,} bytes"
    raw = read(n)
    if len(raw) < n:
        return bad, "truncated .npy header"
    try:
        text = raw.decode("utf-8" if major == 3 else "latin-1")
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError, UnicodeDecodeError):
        return bad, "the .npy header is not a dict literal"
    if not isinstance(value, dict) or set(value) != {"descr", "fortran_order", "shape"}:
        return bad, "the .npy header does not hold exactly descr, fortran_order and shape"
    shape = value["shape"]
    if not isinstance(shape, tuple) or not all(isinstance(d, int) and d >= 0 for d in shape):
        return bad, "the .npy shape is not a tuple of sizes"
    size, has_object = _itemsize(value["descr"])
    count = 1
    for d in shape:
        count *= d
    nbytes = None if size is None else size * count
    return Header(str(value["descr"]), has_object, nbytes, start + n), ""


def rest(reader: Any, offset: int) -> Source:
    """The bytes of `reader` after `offset` (the data of a .npy stream)."""
    done = 0
    while done < offset:
        part = reader.read(min(1 << 20, offset - done))
        if not part:
            break
        done += len(part)
    return Source(reader.read, getattr(reader, "skip", None))
