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
