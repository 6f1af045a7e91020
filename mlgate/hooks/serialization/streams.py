"""Byte sources for the opcode walker: a region of a file, and the decompressed content of a
compressed file (joblib's zlib, gzip, bz2, lzma and xz, recognised by their magic bytes)."""

from __future__ import annotations

import bz2
import lzma
import zlib
from typing import Any, BinaryIO

from mlgate.hooks.serialization.containers import pread
from mlgate.hooks.serialization.opcodes import CHUNK, Source

# magic bytes -> compression (joblib writes these five)
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\xfd7zXZ\x00", "xz"), (b"]\x00\x00", "lzma"),
    (b"\x78\x01", "zlib"), (b"\x78\x5e", "zlib"), (b"\x78\x9c", "zlib"), (b"\x78\xda", "zlib"),
)


def compression(head: bytes) -> str | None:
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    return None


class FileRegion:
    """Bytes [start, end) of an open file."""

    def __init__(self, fh: BinaryIO, start: int, end: int) -> None:
        self.fh, self.offset, self.end = fh, start, end

    def read(self, n: int) -> bytes:
        n = min(n, self.end - self.offset)
        if n <= 0:
            return b""
        data = pread(self.fh, self.offset, n)
        self.offset += len(data)
        return data

    def skip(self, n: int) -> int:
        n = max(0, min(n, self.end - self.offset))
        self.offset += n
        return n

    def source(self) -> Source:
        return Source(self.read, self.skip)


def _decompressor(kind: str) -> Any:
    if kind == "gzip":
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if kind == "zlib":
        return zlib.decompressobj()
    if kind == "bz2":
        return bz2.BZ2Decompressor()
    return lzma.LZMADecompressor(format=lzma.FORMAT_XZ if kind == "xz" else lzma.FORMAT_ALONE)


class Inflated:
    """The decompressed bytes of a whole file, at most `cap` of them (`error` says why the
    stream ended early)."""

    def __init__(self, fh: BinaryIO, size: int, kind: str, cap: int) -> None:
        self.raw = FileRegion(fh, 0, size)
        self.kind = kind
        self.dec = _decompressor(kind)
        self.cap = cap
        self.out = 0
        self.done = False
        self.error = ""

    def read(self, n: int) -> bytes:
        parts: list[bytes] = []
        got = 0
        try:
            while got < n and not self.done:
                if self.kind in ("gzip", "zlib"):
                    data = self.dec.unconsumed_tail or self.raw.read(CHUNK)
                    if not data:
                        self.done = True
                        break
                    part = self.dec.decompress(data, n - got)
                else:
                    data = self.raw.read(CHUNK) if self.dec.needs_input else b""
                    if self.dec.needs_input and not data:
                        self.done = True
                        break
                    part = self.dec.decompress(data, n - got)
                if self.dec.eof:
                    self.done = True
                parts.append(part)
                got += len(part)
        except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError) as e:
            self.error = f"the {self.kind} stream is corrupt ({str(e)[:100]})"
            self.done = True
        self.out += got
        if self.out > self.cap:
            self.error = f"more than {self.cap:,} decompressed bytes"
            self.done = True
            return b""
        return b"".join(parts)

    def source(self) -> Source:
        return Source(self.read)
