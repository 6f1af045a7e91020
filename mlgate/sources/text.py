"""Text files: one cell per line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from mlgate.sources.stream import (
    _PIECE_OVERLAP,
    _STR_PIECE,
    Cell,
    Rewrite,
    _text_io_errors,
    _TextInput,
)

if TYPE_CHECKING:
    from mlgate.sources.records import RecordReader


def _iter_text(rr: RecordReader) -> Iterator[Cell]:
    return _text_io_errors(_text_cells(rr))


def _text_cells(rr: RecordReader) -> Iterator[Cell]:
    """One cell per line; a line longer than _STR_PIECE characters comes in pieces, each
    repeating the last _PIECE_OVERLAP characters of the one before (columns stay exact)."""
    with _TextInput(rr, newline=None) as src:
        limit = _STR_PIECE
        n = 0
        for n, line in enumerate(src.text, 1):  # noqa: B007 - n is used after the loop
            if line.endswith("\n"):
                line = line[:-1]
            if len(line) <= limit:
                if line:
                    yield Cell(line, n, 1, None)
                continue
            step = limit - _PIECE_OVERLAP
            for i in range(0, len(line) - _PIECE_OVERLAP, step):
                yield Cell(line[i:i + limit], n, i + 1, None)
        src.finish()


# --- the rewriter (`mlgate pii scrub`) ---------------------------------------------------------

def _split_ending(line: str) -> tuple[str, str]:
    if line.endswith("\r\n"):
        return line[:-2], "\r\n"
    if line.endswith(("\n", "\r")):
        return line[:-1], line[-1]
    return line, ""


def rewrite_text(fin: IO[str], fout: IO[str], rewrite: Rewrite) -> None:
    for line in fin:
        body, ending = _split_ending(line)
        fout.write(rewrite(body) + ending)

