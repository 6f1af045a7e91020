"""safetensors: strict header validation, and the shard index of a sharded model.

Stricter than the official library where the spec is: duplicate keys, a header that does not
start with `{` and unknown fields are refused too. Only the header is read, never the data.
"""

from __future__ import annotations

import json
import struct
from typing import Any, BinaryIO

HEADER_CAP = 100_000_000
MAX_DEPTH = 128
MAX_TENSORS = 1_000_000
# bits per element of every dtype the format defines
DTYPE_BITS = {"BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8,
              "I16": 16, "U16": 16, "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32,
              "C64": 64, "F64": 64, "I64": 64, "U64": 64, "F4": 4, "F6_E2M3": 6,
              "F6_E3M2": 6}
_FIELDS = {"dtype", "shape", "data_offsets"}


class Duplicate(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise Duplicate(k)
        out[k] = v
    return out


def _depth(value: Any) -> int:
    deepest, todo = 0, [(value, 1)]
    while todo:
        v, d = todo.pop()
        deepest = max(deepest, d)
        if deepest > MAX_DEPTH:
            break
        if isinstance(v, dict):
            todo.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            todo.extend((x, d + 1) for x in v)
    return deepest


def parse_json(raw: bytes) -> tuple[Any, str]:
    """Strict JSON: UTF-8, no duplicate keys, bounded nesting; (value, problem)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, f"not UTF-8 (byte {e.start})"
    try:
        value = json.loads(text, object_pairs_hook=_pairs)
    except Duplicate as e:
        return None, f"the key {str(e)[:80]!r} appears twice"
    except RecursionError:
        return None, "nested too deeply"
    except ValueError as e:
        return None, f"not valid JSON ({str(e)[:120]})"
    if _depth(value) > MAX_DEPTH:
        return None, f"nested deeper than {MAX_DEPTH} levels"
    return value, ""


def validate(fh: BinaryIO, size: int, pread: Any) -> list[str]:
    """The problems of one safetensors file's header and layout (empty when valid)."""
    if size < 8:
        return ["too short to hold a header length"]
    (n,) = struct.unpack("<Q", pread(fh, 0, 8))
    if n > HEADER_CAP:
        return [f"a header length of {n:,} bytes (more than {HEADER_CAP:,})"]
    if 8 + n > size:
        return ["the header runs past the end of the file"]
    raw = pread(fh, 8, n)
    if not raw.startswith(b"{"):
        return ["the header does not start with '{'"]
    header, problem = parse_json(raw.rstrip(b" "))  # the format pads with spaces
    if problem:
        return [f"header: {problem}"]
    if not isinstance(header, dict):
        return ["the header is not a JSON object"]
    problems: list[str] = []
    meta = header.pop("__metadata__", None)
    if meta is not None and not (isinstance(meta, dict) and
                                 all(isinstance(v, str) for v in meta.values())):
        problems.append("__metadata__ is not a table of strings")
    if len(header) > MAX_TENSORS:
        return [*problems, f"more than {MAX_TENSORS:,} tensors"]
    spans: list[tuple[int, int, str]] = []
    for name, info in header.items():
        shown = name[:80]
        if not isinstance(info, dict):
            problems.append(f"{shown!r}: not an object")
            continue
        extra = set(info) - _FIELDS
        if extra or not set(info) >= _FIELDS:
            problems.append(f"{shown!r}: fields {sorted(info)[:6]} (expected dtype, shape, "
                            "data_offsets)")
            continue
        dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in DTYPE_BITS:
            problems.append(f"{shown!r}: unknown dtype {str(dtype)[:20]!r}")
            continue
        if not (isinstance(shape, list) and all(type(d) is int and d >= 0 for d in shape)):
            problems.append(f"{shown!r}: the shape is not a list of sizes")
            continue
        if not (isinstance(offsets, list) and len(offsets) == 2 and
                all(type(o) is int and o >= 0 for o in offsets)):
            problems.append(f"{shown!r}: data_offsets is not [begin, end]")
            continue
        count = 1
        for d in shape:
            count *= d
        if count * DTYPE_BITS[dtype] >= 1 << 67:
            problems.append(f"{shown!r}: the shape overflows")
            continue
        bits = count * DTYPE_BITS[dtype]
        begin, end = offsets
        if end < begin:
            problems.append(f"{shown!r}: data_offsets are reversed")
            continue
        if bits % 8 or end - begin != bits // 8:
            problems.append(f"{shown!r}: holds {end - begin:,} bytes, its dtype and shape "
                            f"need {bits / 8:,g}")
        spans.append((begin, end, shown))
    spans.sort()
    cursor = 0
    for begin, end, shown in spans:
        if begin > cursor:
            problems.append(f"a gap of {begin - cursor:,} bytes in the data before {shown!r}")
        elif begin < cursor:
            problems.append(f"{shown!r} overlaps the tensor before it")
        cursor = max(cursor, end)
    buffer = size - 8 - n
    if cursor != buffer:
        problems.append(f"the tensors cover {cursor:,} bytes of a {buffer:,}-byte data "
                        "buffer" + (" (trailing bytes)" if cursor < buffer else ""))
    return problems


def index_shards(raw: bytes) -> tuple[list[str], str]:
    """The shard file names a `*.safetensors.index.json` names, or a problem."""
    index, problem = parse_json(raw)
    if problem:
        return [], problem
    if not isinstance(index, dict) or not isinstance(index.get("weight_map"), dict):
        return [], "no weight_map object"
    shards = index["weight_map"].values()
    if not all(isinstance(s, str) for s in shards):
        return [], "weight_map values are not file names"
    return sorted(set(shards)), ""
