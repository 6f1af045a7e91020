"""Helpers of the unsafe-serialization tests: pickles written as opcode bytes (never loaded,
never committed as files), zip surgery, and running the hook in-process."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

from mlgate.hooks.serialization.check import check
from mlgate.policy import Policy

PROTO4 = b"\x80\x04"
PROTO2 = b"\x80\x02"


def u(s: str) -> bytes:
    """SHORT_BINUNICODE."""
    data = s.encode()
    return b"\x8c" + bytes([len(data)]) + data


def binunicode(s: str) -> bytes:
    data = s.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def short_binstring(s: str) -> bytes:
    data = s.encode()
    return b"U" + bytes([len(data)]) + data


def stack_global(module: str, name: str) -> bytes:
    return u(module) + u(name) + b"\x93"


def glob(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def call(callable_ops: bytes, *args: str) -> bytes:
    """callable(*args) via MARK ... TUPLE REDUCE."""
    return callable_ops + b"(" + b"".join(u(a) for a in args) + b"tR"


def evil(module: str = "os", name: str = "system", proto: bytes = PROTO4) -> bytes:
    """A whole pickle that calls module.name("echo pwned") on load."""
    return proto + call(stack_global(module, name), "echo pwned") + b"."


def frame(body: bytes, length: int | None = None) -> bytes:
    return b"\x95" + struct.pack("<Q", len(body) if length is None else length) + body


def write(tmp: Path, name: str, data: bytes) -> Path:
    p = tmp / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


def run(paths: list[Path] | Path, policy: dict[str, Any] | None = None,
        root: Path | None = None) -> list[Any]:
    items = [paths] if isinstance(paths, Path) else paths
    pol = Policy(policy or {}, root=root or items[0].parent)
    return list(check([str(p) for p in items], pol))


def rules(paths: list[Path] | Path, policy: dict[str, Any] | None = None) -> set[str]:
    return {getattr(f, "rule", "error") for f in run(paths, policy)}


def zip_with(path: Path, members: dict[str, bytes],
             method: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def central_entries(data: bytes) -> list[int]:
    """Offsets of the central directory's file headers."""
    out, i = [], data.find(b"PK\x01\x02")
    while i >= 0:
        out.append(i)
        i = data.find(b"PK\x01\x02", i + 4)
    return out


def set_flag_bit(path: Path, name: str, bit: int) -> None:
    """Set a general-purpose flag bit of member `name` in both headers."""
    data = bytearray(path.read_bytes())
    for at in central_entries(bytes(data)):
        nlen = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + nlen]).decode() == name:
            struct.pack_into("<H", data, at + 8, struct.unpack_from("<H", data, at + 8)[0]
                             | 1 << bit)
            local = struct.unpack_from("<I", data, at + 42)[0]
            struct.pack_into("<H", data, local + 6, struct.unpack_from("<H", data,
                                                                       local + 6)[0] | 1 << bit)
    path.write_bytes(bytes(data))


def break_crc(path: Path, name: str) -> None:
    data = bytearray(path.read_bytes())
    for at in central_entries(bytes(data)):
        nlen = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + nlen]).decode() == name:
            crc = struct.unpack_from("<I", data, at + 16)[0]
            struct.pack_into("<I", data, at + 16, crc ^ 0xFFFF)
    path.write_bytes(bytes(data))


def rename_local(path: Path, name: str, new: str) -> None:
    """Give member `name` another name in its local header only (same length)."""
    assert len(new) == len(name)
    data = path.read_bytes()
    at = data.find(b"PK\x03\x04" )
    while at >= 0:
        nlen = struct.unpack_from("<H", data, at + 26)[0]
        if data[at + 30:at + 30 + nlen] == name.encode():
            data = data[:at + 30] + new.encode() + data[at + 30 + nlen:]
            break
        at = data.find(b"PK\x03\x04", at + 4)
    path.write_bytes(data)


def deflate(data: bytes) -> bytes:
    return zlib.compress(data)
