"""Notebook strings that nbformat joins: the items of a cell's `source` list and of an
output's `text` (or text MIME) list are one string, so a token may be split across two items.

The items are found in the `.ipynb` text itself (not through `json.loads`), so each keeps the
line and column where it stands; a truncated or invalid notebook yields what could be read.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from typing import NamedTuple

from mlgate.hooks.secrets.lines import split_lines

# The lists whose items nbformat joins and that hold text (base64 media lists are skipped).
_LIST_START = re.compile(
    r'"(?:source|text|text/[\w.+-]+|application/(?:javascript|json|x-latex))"\s*:\s*\[')
_ITEM = re.compile(r'\s*("[^"\\]*(?:\\.[^"\\]*)*")\s*(,|\])')


class Piece(NamedTuple):
    text: str  # the decoded item
    line: int  # 1-based line of the .ipynb where the item's content starts
    column: int  # 1-based column of the item's first character (after the quote)
    raw: str  # the item as it stands in the file (JSON escapes kept), without its quotes

    def raw_offset(self, n: int) -> int:
        """Where, in the file, the item's `n`-th decoded character stands (escapes count as
        what they stand for: `\\"` is one character, `\\u00e9` one)."""
        raw, i = self.raw, 0
        for _ in range(n):
            if i >= len(raw):
                break
            i += (6 if raw[i + 1:i + 2] == "u" else 2) if raw[i] == "\\" else 1
        return i


def glued_groups(text: str) -> Iterator[list[Piece]]:
    """Runs of two or more consecutive items of one list where an item does not end with a
    newline, so nbformat glues it to the next one into one line of the joined string."""
    offsets: list[int] | None = None
    for m in _LIST_START.finditer(text):
        items: list[tuple[str, int, str]] = []  # (decoded item, its offset, raw item)
        pos = m.end()
        while True:
            item = _ITEM.match(text, pos)
            if item is None:
                break
            try:
                decoded = json.loads(item.group(1))
            except ValueError:
                break
            items.append((decoded, item.start(1) + 1, item.group(1)[1:-1]))
            pos = item.end()
            if item.group(2) == "]":
                break
        group: list[tuple[str, int, str]] = []
        for decoded, start, raw in items:
            group.append((decoded, start, raw))
            if decoded.endswith(("\n", "\r")):
                if len(group) > 1:
                    offsets = offsets or split_lines(text)[1]
                    yield _pieces(group, offsets)
                group = []
        if len(group) > 1:
            offsets = offsets or split_lines(text)[1]
            yield _pieces(group, offsets)


def _pieces(group: list[tuple[str, int, str]], offsets: list[int]) -> list[Piece]:
    out = []
    for decoded, start, raw in group:
        index = bisect.bisect_right(offsets, start) - 1
        out.append(Piece(decoded, index + 1, start - offsets[index] + 1, raw))
    return out
