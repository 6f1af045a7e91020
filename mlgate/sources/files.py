"""Safe reading of one file: regular files only, size caps, encodings (BOMs), binary content
and Git LFS pointers.
"""

from __future__ import annotations

import codecs
import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from mlgate import fileio

LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"


# (BOM, the codec of the text after it): the one table readers and rewriters sniff with
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
# the codec that reads a file from its first byte, BOM included
_READING = {"utf-8": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16",
            "utf-32-le": "utf-32", "utf-32-be": "utf-32"}


class SourceError(Exception):
    """A file that cannot be read as asked; the message is for the user, without the path."""


@dataclass(frozen=True)
class TextSource:
    text: str
    encoding: str
    truncated: bool  # the file is larger than the cap and only its head was read
    size: int


def display_path(path: str | os.PathLike[str]) -> str:
    """Repo-relative with `/` when under the working directory, else as given, with `/`."""
    p = Path(path)
    if p.is_absolute():
        with contextlib.suppress(ValueError):
            p = p.relative_to(Path.cwd())
    return p.as_posix()


def read_head(path: str | os.PathLike[str], max_bytes: int) -> tuple[bytes, int]:
    """Up to `max_bytes` bytes and the file size. Symlinks and non-regular files are refused
    (fileio: never a FIFO's hang, never a buffer the size of the cap)."""
    try:
        head = fileio.read_head(path, max_bytes, follow_symlinks=False)
    except fileio.UnsafeFile as e:
        raise SourceError(str(e)) from None
    return head.data, head.size


def text_encoding(head: bytes) -> tuple[bytes, str] | None:
    """(BOM, codec of the text after it) of a file's head, or None for binary content."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return bom, codec
    if b"\0" in head[:8192]:
        return None
    return b"", "utf-8"


def sniff_encoding(head: bytes) -> str | None:
    """The encoding to decode the whole file with (BOM included), or None for binary."""
    found = text_encoding(head)
    if found is None:
        return None
    bom, codec = found
    return _READING[codec] if bom else codec


def is_lfs_pointer(head: bytes) -> bool:
    return head.startswith(LFS_POINTER) and len(head) < 1024


def read_text(path: str | os.PathLike[str], max_bytes: int) -> TextSource:
    """Decode a text file (BOM-aware; invalid UTF-8 bytes become U+FFFD, never an exception).

    Raises SourceError for binary content, unreadable paths and symlinks.
    """
    data, size = read_head(path, max_bytes)
    encoding = sniff_encoding(data)
    if encoding is None:
        raise SourceError("binary content, not text")
    if encoding.startswith("utf-16"):
        data = data[: len(data) - len(data) % 2]
    elif encoding == "utf-32":
        data = data[: len(data) - len(data) % 4]
    text = data.decode(encoding, errors="replace")
    return TextSource(text=text, encoding=encoding, truncated=size > len(data), size=size)


def _open_binary(path: Path) -> BinaryIO:
    """Open a regular file for reading; symlinks and other non-regular files are refused."""
    try:
        return fileio.open_regular(path, follow_symlinks=False)
    except fileio.UnsafeFile as e:
        raise SourceError(str(e)) from None


def _short(e: BaseException) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return msg[:200]
