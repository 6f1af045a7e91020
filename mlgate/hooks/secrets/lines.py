"""Lines of a text: a lone CR, CRLF and LF each end one (as the PII hook counts them)."""

from __future__ import annotations

import itertools
import re

LINE_BREAK = re.compile(r"\r\n?|\n")


def split_lines(text: str) -> tuple[list[str], list[int]]:
    """The lines of `text` and their start offsets (one more entry: the end of the text + 1)."""
    if "\r" not in text:
        lines = text.split("\n")
        return lines, [0, *itertools.accumulate(len(line) + 1 for line in lines)]
    lines = LINE_BREAK.split(text)
    ends = [m.end() for m in LINE_BREAK.finditer(text)]
    return lines, [0, *ends, len(text) + 1]


def count_breaks(text: str, start: int, end: int) -> int:
    """Line breaks in text[start:end] (CRLF counts once), for `start` and `end` at line starts."""
    n = text.count("\n", start, end)
    cr = text.count("\r", start, end)
    return n + cr - text.count("\r\n", start, end) if cr else n


def line_around(text: str, pos: int) -> tuple[int, int]:
    """(start, end) of the line that holds offset `pos`, without its line break."""
    start = max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos)) + 1
    ends = [i for i in (text.find("\n", pos), text.find("\r", pos)) if i >= 0]
    return start, min(ends) if ends else len(text)
