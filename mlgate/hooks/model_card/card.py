"""Reading one card file: which files are cards, of which kind, and their parse.

The file is opened once through `mlgate.fileio` (regular files only, no symlinks), its
encoding taken from its first bytes (BOM-aware; invalid UTF-8 becomes U+FFFD), and streamed
line by line into `markdown.parse`, at most `max-bytes` of it. Lines end at `\n`, as the core
counts them for inline pragmas (a CR before it is dropped).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from mlgate import fileio
from mlgate.hooks.model_card.markdown import MAX_LINE, Card, parse
from mlgate.sources.files import is_lfs_pointer, text_encoding

MODEL_NAMES = frozenset({"model_card.md", "modelcard.md", "model-card.md"})
DATASET_NAMES = frozenset({"dataset_card.md", "datasetcard.md", "dataset-card.md",
                           "datacard.md"})
README = "readme.md"


class CardError(Exception):
    """The file cannot be read as a card; the message is for the user, without the path."""

    def __init__(self, message: str, *, note: bool = False) -> None:
        super().__init__(message)
        self.note = note  # a symlink: a note, as every hook reports one


@dataclass
class Read:
    card: Card
    size: int
    truncated: bool


class _Capped(io.RawIOBase):
    """At most `left` bytes of a raw file (the reader's buffer never sees more)."""

    def __init__(self, raw: BinaryIO, left: int) -> None:
        self.raw = raw
        self.left = left

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.left <= 0:
            return 0
        n = min(len(buffer), self.left, fileio.CHUNK)
        data = self.raw.read(n)
        if not data:
            return 0
        buffer[: len(data)] = data
        self.left -= len(data)
        return len(data)


def read(path: str | os.PathLike[str], max_bytes: int, placeholders: list[re.Pattern[str]],
         is_label: Callable[[str], bool]) -> Read:
    try:
        fh = fileio.open_regular(path, follow_symlinks=False)
    except fileio.UnsafeFile as e:
        raise CardError(str(e), note=str(e).startswith("symbolic")) from None
    with fh:
        try:
            size = os.fstat(fh.fileno()).st_size
            head = fh.read(8192)
            found = text_encoding(head)
            if found is None:
                raise CardError("binary content, not a Markdown card")
            if is_lfs_pointer(head):
                raise CardError("a Git LFS pointer, not the card itself")
            bom, codec = found
            fh.seek(len(bom))
            capped = _Capped(fh, max_bytes - len(bom))
            text = io.TextIOWrapper(io.BufferedReader(capped, 1 << 16), encoding=codec,
                                    errors="replace", newline="\n")
            card = parse(iter(lambda: text.readline(MAX_LINE), ""), placeholders, is_label)
            more = capped.left <= 0 and bool(fh.read(1))
        except OSError as e:
            raise CardError(f"cannot read ({e.strerror or e})") from None
        except UnicodeError as e:
            raise CardError(f"cannot decode as {codec} ({e})") from None
    return Read(card, max(size, max_bytes if more else 0), more or size > max_bytes)


def name_kind(shown: str, cards: list[re.Pattern[str]],
              dataset_cards: list[re.Pattern[str]]) -> str | None:
    """What a path's name makes it: `model`, `dataset`, `readme` (decided by its content), or
    None (not a card)."""
    if any(p.fullmatch(shown) for p in dataset_cards):
        return "dataset"
    name = PurePosixPath(shown).name.lower()
    if name in DATASET_NAMES:
        return "dataset"
    if name in MODEL_NAMES or any(p.fullmatch(shown) for p in cards):
        return "model"
    if name == README:
        return "readme"
    return None
